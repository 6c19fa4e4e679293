// `--packages FILE` (a file, not a directory) to validate and report --validate: refused as serve refuses it, one
// line and exit 2, whether or not $FHIRSEED_PACKAGES is set (it was looked past to the variable without a word, or
// "not found, looked in FILE"). Trial V #8. In process, one Patient. A --packages folder that does not exist is passed
// over (serve documents it: "serves without the IG packages"), but no longer without a word: one note in validate,
// report --validate and serve naming it and where the packages are looked for instead.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { runCliChild } from '../serve/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fhirseed-packages-option-'));
const data = join(dir, 'data');
const file = join(dir, 'README.md');
mkdirSync(join(data, 'ndjson'), { recursive: true });
writeFileSync(join(data, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'a', gender: 'female' })}\n`);
writeFileSync(file, '# not a package folder\n');

async function run(args: string[]) {
  const io = { out: '', err: '', isTty: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  const code = await runCli(args, io);
  return { code, stdout: io.out, stderr: io.err };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (path: string) =>
  `fhirseed: --packages ${path}: is a file, not a directory (--packages takes the folder holding the <name>#<version>.tgz files or <name>#<version>/package/ folders)\n`;

describe('--packages FILE to validate and report', () => {
  afterEach(() => vi.unstubAllEnvs());

  for (const env of [SHARED_PACKAGES, undefined]) {
    const label = env ? 'with $FHIRSEED_PACKAGES set' : 'without $FHIRSEED_PACKAGES';
    it(`should refuse it in validate, one line, exit 2, ${label}`, async () => {
      vi.stubEnv('FHIRSEED_PACKAGES', env);
      const r = await run(['validate', data, '--packages', file]);
      expect(r).toEqual({ code: 2, stdout: '', stderr: refusal(file) });
    });

    it(`should refuse it in report --html --validate, writing no page, ${label}`, async () => {
      vi.stubEnv('FHIRSEED_PACKAGES', env);
      const page = join(dir, 'r.html');
      const r = await run(['report', data, '--html', page, '--validate', '--packages', file]);
      expect(r).toEqual({ code: 2, stdout: '', stderr: refusal(file) });
      expect(existsSync(page)).toBe(false);
    });
  }

  it('should say which file when the path lies under one', async () => {
    const r = await run(['validate', data, '--packages', join(file, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fhirseed: --packages ${join(file, 'x')}: ${file} is a file, not a directory (--packages takes the folder holding the <name>#<version>.tgz files or <name>#<version>/package/ folders)\n`);
  });
});

describe('--packages DIR that does not exist', () => {
  const missing = join(dir, 'no-such-packages');
  const note = (env: string | undefined) =>
    `fhirseed: note: --packages ${missing}: no such directory; the IG packages are looked for in ${[env, join(homedir(), '.fhir', 'packages')].filter(Boolean).join(', ')} only (nothing is downloaded while --packages is given)\n`;
  afterEach(() => vi.unstubAllEnvs());

  it('should be named in a note by validate, which goes on with the packages of $FHIRSEED_PACKAGES', async () => {
    vi.stubEnv('FHIRSEED_PACKAGES', SHARED_PACKAGES);
    const r = await run(['validate', data, '--packages', missing]);
    expect(r.stderr).toBe(note(SHARED_PACKAGES));
    expect(r.stdout).toMatch(/^validated 1 resource/m);
  });

  it('should be named in a note by report --validate, which writes the page', async () => {
    vi.stubEnv('FHIRSEED_PACKAGES', SHARED_PACKAGES);
    const page = join(dir, 'missing.html');
    const r = await run(['report', data, '--html', page, '--validate', '--packages', missing]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(note(SHARED_PACKAGES));
    expect(existsSync(page)).toBe(true);
  });

  it('should be named in a note, and the folder in the packages-not-found line, when nothing else holds the packages', async () => {
    vi.stubEnv('FHIRSEED_PACKAGES', undefined);
    vi.stubEnv('HOME', join(dir, 'home'));
    const r = await run(['validate', data, '--packages', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(note(undefined).trimEnd());
    expect(r.stderr.split('\n')[1]).toMatch(new RegExp(`^fhirseed: FHIR packages? .* not found\\. Looked in ${missing}, `));
  });

  it('should be named in a note by serve, which serves', async () => {
    const served = await runCliChild(['serve', data, '--port', '0', '--store', 'memory', '--packages', missing], { ...process.env, FHIRSEED_PACKAGES: SHARED_PACKAGES });
    const stopped = await served.stop();
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toBe(`${note(SHARED_PACKAGES)}fhirseed: interrupted; server stopped (exit 130)\n`);
  }, 60_000);
});

// `--packages FILE` (a file, not a directory) to validate and report --validate: refused as serve refuses it, one
// line and exit 2, whether or not $FHIRSEED_PACKAGES is set (it was looked past to the variable without a word, or
// "not found, looked in FILE"). Trial V #8. In process, one Patient.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

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

const refusal = (path: string) =>
  `fhirseed: --packages ${path}: is a file, not a directory (--packages takes the folder holding the <name>#<version>.tgz files or <name>#<version>/package/ folders)\n`;

describe('--packages FILE to validate and report', () => {
  afterEach(() => vi.unstubAllEnvs());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

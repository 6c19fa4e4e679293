import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const temp = tempDir('fhirseed-validate-cli-');
afterAll(() => temp.cleanup());
const out311 = join(temp.dir, 'us-core-311');

beforeAll(() => {
  generateTo(out311, { ...shippedProfile('default'), members: 4 }, { usCoreVersion: '3.1.1' });
});

async function validate(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['validate', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

describe('validate: which IGs', () => {
  it('should check fhirseed output against the US Core version in its manifest when --ig is not given', async () => {
    const r = await validate([out311, '--packages', SHARED_PACKAGES]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^validated \d+ resources: 0 errors/);
    expect(r.stdout).toContain('must-support coverage, hl7.fhir.us.core#3.1.1:');
    expect(r.stdout).toContain('must-support coverage, hl7.fhir.us.carin-bb#2.0.0:');
    expect(r.stdout).not.toContain('hl7.fhir.us.core#6.1.0');
    expect(r.stdout).toContain(`note: IGs from ${join(out311, 'manifest.json')}: hl7.fhir.us.carin-bb@2.0.0, hl7.fhir.us.core@3.1.1`);
    // Its own manifest, test accounts and brands are not news to whoever generated it (--json still lists them).
    expect(r.stdout).not.toMatch(/hold(s)? no FHIR resource/);
    expect(r.code).toBe(0);
  });

  it('should name a non-FHIR file beside fhirseed output, but not the output\'s own manifest and test accounts', async () => {
    const out = join(temp.dir, 'own-files');
    generateTo(out, { ...shippedProfile('default'), members: 1 });
    writeFileSync(join(out, 'settings.json'), '{"theme": "dark"}');
    const r = await validate([out, '--packages', SHARED_PACKAGES, '--json']);
    const report = JSON.parse(r.stdout) as { skippedFiles: string[]; notes: string[] };
    expect(report.notes.filter((n) => n.includes('no FHIR resource'))).toEqual([
      `1 file holds no FHIR resource (empty, or JSON that is not FHIR) and was skipped: ${join(out, 'settings.json')}`,
    ]);
    expect(report.skippedFiles).toEqual(expect.arrayContaining([join(out, 'manifest.json'), join(out, 'test-accounts.json'), join(out, 'settings.json')]));
  });

  it('should find the manifest one level up, for a path inside the output (ndjson/)', async () => {
    const r = await validate([join(out311, 'ndjson'), '--packages', SHARED_PACKAGES, '--json']);
    const report = JSON.parse(r.stdout) as { errors: number; coverage: { ig: string }[] };
    expect(report.coverage.map((c) => c.ig)).toEqual([
      'hl7.fhir.us.carin-bb#2.0.0',
      'hl7.fhir.us.core#3.1.1',
      'hl7.fhir.us.davinci-pdex-plan-net#1.1.0',
      'hl7.fhir.us.davinci-drug-formulary#2.0.1',
      'hl7.fhir.us.davinci-pdex#2.0.0',
    ]);
  });

  it('should take --ig over the manifest', async () => {
    const r = await validate([out311, '--packages', SHARED_PACKAGES, '--ig', 'us-core@3.1.1', '--json']);
    const report = JSON.parse(r.stdout) as { coverage: { ig: string }[]; notes: string[] };
    expect(report.coverage.map((c) => c.ig)).toEqual(['hl7.fhir.us.core#3.1.1']);
    expect(report.notes.some((n) => n.startsWith('IGs from'))).toBe(false);
  });

  it('should refuse outputs generated for different US Core versions in one run, in one line, exit 2', async () => {
    const out610 = join(temp.dir, 'us-core-610');
    generateTo(out610, { ...shippedProfile('default'), members: 1 }, { usCoreVersion: '6.1.0' });
    const r = await validate([out311, out610, '--packages', SHARED_PACKAGES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fhirseed: .+manifest\.json and .+manifest\.json name different IG versions \(.*hl7\.fhir\.us\.core#3\.1\.1.* vs .*hl7\.fhir\.us\.core#6\.1\.0.*\): validate them separately, or choose with --ig\n$/);
  });
});

describe('validate: input that is not FHIR data', () => {
  it('should say a path does not exist in one line, exit 2', async () => {
    const missing = join(temp.dir, 'no-such-dir');
    const r = await validate([missing, '--packages', SHARED_PACKAGES]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `fhirseed: ${missing}: no such file or directory\n` });
  });

  it('should say a directory holds no FHIR data in one line, exit 2 (empty, or only non-FHIR files)', async () => {
    const empty = join(temp.dir, 'empty');
    mkdirSync(empty);
    expect(await validate([empty, '--packages', SHARED_PACKAGES])).toEqual({
      code: 2,
      stdout: '',
      stderr: `fhirseed: ${empty}: no FHIR data (no .json file holding a resource or Bundle, no .ndjson file with resources)\n`,
    });
    const other = join(temp.dir, 'not-fhir');
    mkdirSync(other);
    writeFileSync(join(other, 'settings.json'), '{"theme": "dark"}');
    writeFileSync(join(other, 'notes.txt'), 'hello');
    const r = await validate([other, '--packages', SHARED_PACKAGES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fhirseed: .+not-fhir: no FHIR data/);
  });

  it('should say which file cannot be read in one line, exit 2, never a stack trace', async () => {
    const dir = join(temp.dir, 'dangling');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ resourceType: 'Patient', id: 'p1' }));
    symlinkSync(join(dir, 'gone.json'), join(dir, 'link.json'));
    const r = await validate([dir, '--packages', SHARED_PACKAGES]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `fhirseed: ${join(dir, 'link.json')}: cannot read (ENOENT)\n` });
  });

  it('should refuse a named file that is not .json or .ndjson in one line, exit 2', async () => {
    const file = join(temp.dir, 'README.md');
    writeFileSync(file, '# hello\n');
    const r = await validate([file, '--packages', SHARED_PACKAGES]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `fhirseed: ${file}: not a .json or .ndjson file (validate reads FHIR JSON: Bundles, resources, NDJSON)\n` });
  });

  it('should report a corrupt JSON file as a finding at file:line:column, validate the rest, and exit 1', async () => {
    const dir = join(temp.dir, 'corrupt');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bad.json'), '{\n  "resourceType": "Patient",\n  id: "x"\n}\n');
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'female' }));
    const r = await validate([dir, '--packages', SHARED_PACKAGES, '--ig', 'us-core@6.1.0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^validated 1 resource: 1 error,/);
    expect(r.stdout).toContain(`  unreadable: ${join(dir, 'bad.json')}:3:3: invalid JSON: `);
  });

  it('should name the files it skipped as holding no FHIR resource: the first 5 then "and K more" in one note, every one in --json skippedFiles', async () => {
    const dir = join(temp.dir, 'skipped');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-patient.json'), JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'female' }));
    const skipped = ['b-settings.json', 'c-empty.json', 'd-empty.ndjson', 'e-list.json', 'f-manifest.json', 'g-accounts.json', 'h-null.json'].map((f) => join(dir, f));
    const bodies = ['{"theme": "dark"}', '', '', '[1, 2]', '{"igs": []}', '{"accounts": []}', 'null'];
    skipped.forEach((f, i) => writeFileSync(f, bodies[i]!));
    const text = await validate([dir, '--packages', SHARED_PACKAGES, '--ig', 'us-core@6.1.0']);
    expect(text.code).toBe(0);
    const notes = text.stdout.split('\n').filter((l) => l.includes('hold no FHIR resource'));
    expect(notes).toEqual([`note: 7 files hold no FHIR resource (empty, or JSON that is not FHIR) and were skipped: ${skipped.slice(0, 5).join(', ')} and 2 more`]);
    const json = await validate([dir, '--packages', SHARED_PACKAGES, '--ig', 'us-core@6.1.0', '--json']);
    const report = JSON.parse(json.stdout) as { skippedFiles: string[]; notes: string[] };
    expect(report.skippedFiles).toEqual(skipped);
    expect(report.notes).toContain(notes[0]!.slice('note: '.length));
    const one = join(temp.dir, 'skipped-one');
    mkdirSync(one);
    writeFileSync(join(one, 'p.json'), JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'female' }));
    writeFileSync(join(one, 'q.json'), '{}');
    const single = await validate([one, '--packages', SHARED_PACKAGES, '--ig', 'us-core@6.1.0']);
    expect(single.stdout).toContain(`note: 1 file holds no FHIR resource (empty, or JSON that is not FHIR) and was skipped: ${join(one, 'q.json')}\n`);
  });
});

/** util-linux `script`, to give the CLI a terminal. */
const hasScript = spawnSync('script', ['--version']).status === 0;

describe.skipIf(!hasScript)('validate: progress (needs util-linux script for a terminal)', () => {
  const cli = `${JSON.stringify(process.execPath)} dist/src/cli/bin.js validate ${JSON.stringify(out311)} --packages ${JSON.stringify(SHARED_PACKAGES)}`;

  it('should draw a progress bar on stderr when it is a terminal, and stay quiet when it is not', async () => {
    const run = promisify(execFile);
    const [tty, piped] = await Promise.all([
      run('script', ['-qec', cli, '/dev/null'], { maxBuffer: 1 << 26 }),
      run(process.execPath, ['dist/src/cli/bin.js', 'validate', out311, '--packages', SHARED_PACKAGES], { maxBuffer: 1 << 26 }),
    ]);
    const total = /validated (\d+) resources/.exec(piped.stdout)?.[1];
    expect(total).toBeDefined();
    expect(tty.stdout).toContain(`100% | ${total}/${total} resources`);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('100% |');
  }, 120_000);
});

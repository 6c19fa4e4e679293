import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
function dir(): string {
  const t = tempDir('fhirseed-cli-');
  temps.push(t.cleanup);
  return t.dir;
}

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');

describe('fhirseed generate', () => {
  it('should write the population and say so in one line', async () => {
    const out = join(dir(), 'out');
    const r = await run(['generate', '--members', '4', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^fhirseed: wrote 4 members, \d+ resources to .* \(profile default, seed 20260101, run default-20260101\)\n$/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.members.written).toBe(4);
    expect(existsSync(join(out, 'bundles', 'member-000003.json'))).toBe(true);
  });

  // V-report 4: the store (with what apps and the seeder wrote to it) went without a word; seed-state/ is kept as before.
  it('should say in one stderr line that it removed the earlier sandbox store, and nothing when there was none', async () => {
    const out = join(dir(), 'out');
    expect((await run(['generate', '--members', '2', '--out', out])).stderr).toBe('');
    mkdirSync(join(out, 'sandbox-store'));
    writeFileSync(join(out, 'sandbox-store', 'store.sqlite'), 'apps wrote here');
    mkdirSync(join(out, 'seed-state'));
    writeFileSync(join(out, 'seed-state', 'checkpoint.json'), '{}');
    const again = await run(['generate', '--members', '3', '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe(`fhirseed: removed ${join(out, 'sandbox-store')} (the sandbox store of the earlier population): what apps and the seeder wrote to it is gone\n`);
    expect(again.stdout).toMatch(/^fhirseed: wrote 3 members/);
    expect(existsSync(join(out, 'sandbox-store'))).toBe(false);
    expect(existsSync(join(out, 'seed-state', 'checkpoint.json'))).toBe(true);
    // An empty store folder held nothing of anyone's: no line.
    mkdirSync(join(out, 'sandbox-store'));
    expect((await run(['generate', '--members', '2', '--out', out])).stderr).toBe('');
  });

  it('should pack the output into a .tar.gz that tar reads, with the same bytes for the same run', async () => {
    const base = dir();
    const archives = [join(base, 'a.tar.gz'), join(base, 'b.tar.gz')];
    for (const [i, archive] of archives.entries()) {
      const r = await run(['generate', '--members', '3', '--out', join(base, `out${i}`), '--archive', archive!]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/fhirseed: packed \d+ files into .*\.tar\.gz \(\d+ KiB\)\n$/);
    }
    expect(readFileSync(archives[0]!).equals(readFileSync(archives[1]!))).toBe(true);
    const listed = execFileSync('tar', ['-tzf', archives[0]!], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listed).toContain('fhirseed-default-20260101/bundles/member-000002.json');
    expect(listed).toContain('fhirseed-default-20260101/manifest.json');
    const unpacked = join(base, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', archives[0]!, '-C', unpacked]);
    const file = join('bundles', 'member-000001.json');
    expect(readFileSync(join(unpacked, 'fhirseed-default-20260101', file)).equals(readFileSync(join(base, 'out0', file)))).toBe(true);
  });

  it('should say in one line, before any work, when the archive cannot be written', async () => {
    const base = dir();
    const r = await run(['generate', '--members', '2', '--out', join(base, 'out'), '--archive', join(base, 'no-such-dir', 'a.tar.gz')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fhirseed: --archive .*a\.tar\.gz: the directory .*no-such-dir does not exist\n$/);
    expect(existsSync(join(base, 'out'))).toBe(false);
  });

  it.each([
    ['unknown key', (t: string) => t.replace('members: 25', 'members: 25\nmembres: 3'), /^fhirseed: .*bad\.yaml:\d+:1: membres: unknown field 'membres' \(did you mean 'members'\?\)\n$/],
    ['wrong type', (t: string) => t.replace('seed: 20260101', 'seed: soon'), /^fhirseed: .*bad\.yaml:\d+:7: seed: expected a whole number\n$/],
    ['shares', (t: string) => t.replace('{ code: female, share: 0.51 }', '{ code: female, share: 0.61 }'), /demographics\.sex\[0\]\.share: sex shares sum to 1\.1, not 1 \(female 0\.61, male 0\.49\)\n$/],
    ['negative count', (t: string) => t.replace('members: 25', 'members: -5'), /members: expected a whole number ≥ 1\n$/],
    ['period', (t: string) => t.replace('start: "2025-01-01"', 'start: "2026-01-01"'), /period\.end: period end 2025-12-31 must be after start 2026-01-01\n$/],
    ['code-map key', (t: string) => t.replace('- key: asthma', '- key: asthmaa'), /conditions\[\d+\]\.key: unknown code-map key 'asthmaa'/],
  ])('should reject a profile with a bad %s: exit 2, one line, nothing written', async (_name, corrupt, message) => {
    const d = dir();
    const file = join(d, 'bad.yaml');
    writeFileSync(file, corrupt(defaultText));
    const out = join(d, 'out');
    const r = await run(['generate', '--profile', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('should refuse bad options and unknown profiles with one line', async () => {
    for (const [args, message] of [
      [['generate', '--shard', '4/3'], /--shard 4\/3: expected i\/N with 1 ≤ i ≤ N/],
      [['generate', '--format', 'csv'], /unknown format 'csv'/],
      [['generate', '--profile', 'nope'], /profile 'nope' not found \(looked for/],
      // A shipped profile's name misspelt (s16 trial P3).
      [['generate', '--profile', 'medicaidd'], /^fhirseed: profile 'medicaidd' not found \(did you mean medicaid\? looked for/],
      // A path is not looked for among the shipped profiles (not as profiles/tmp/nope.yaml).
      [['generate', '--profile', '/tmp/nope.yaml'], /^fhirseed: profile '\/tmp\/nope\.yaml' not found \(no file \/tmp\/nope\.yaml\)\n$/],
      [['generate', '--bogus'], /^fhirseed: generate: unknown option --bogus \(see fhirseed generate --help\)\n$/],
    ] as const) {
      const r = await run([...args, '--out', join(dir(), 'o')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('should refuse to write into a directory holding other files', async () => {
    const d = dir();
    writeFileSync(join(d, 'precious.txt'), 'keep me');
    const r = await run(['generate', '--members', '1', '--out', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds files fhirseed did not write/);
    expect(readFileSync(join(d, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/util/errors.js';
import { bundleOwners, generateTo, readTree, shippedProfile, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
const newDir = () => {
  const t = tempDir('fhirseed-atomic-');
  temps.push(t.cleanup);
  return t.dir;
};
afterAll(() => temps.forEach((c) => c()));

const profile = { ...shippedProfile('default'), members: 4 };

function expectSameTree(before: Map<string, Buffer>, dir: string): void {
  const after = readTree(dir);
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [file, bytes] of before) expect(after.get(file)!.equals(bytes), file).toBe(true);
}

const leftovers = (parent: string) => readdirSync(parent).filter((e) => e.includes('.fhirseed-'));

describe('generate writes into a temporary directory and swaps it in when complete', () => {
  it('should leave the earlier output byte-identical and no temporary directory when a run fails mid-way', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    generateTo(out, profile);
    const before = readTree(out);
    const failing = () =>
      generateTo(out, { ...profile, seed: 99, members: 6 }, {
        onProgress: (done) => {
          if (done === 3) throw new Error('disk on fire');
        },
      });
    expect(failing).toThrow('disk on fire');
    expectSameTree(before, out);
    expect(leftovers(parent)).toEqual([]);
  });

  it("should tell onNote the earlier sandbox store it removed, also when it swaps entries (the working directory in --out)", () => {
    const parent = newDir();
    const out = join(parent, 'out');
    generateTo(out, profile);
    for (const inside of [false, true]) {
      mkdirSync(join(out, 'sandbox-store'));
      writeFileSync(join(out, 'sandbox-store', 'store.sqlite'), 'apps wrote here');
      const notes: string[] = [];
      const cwd = process.cwd();
      if (inside) process.chdir(out);
      try {
        generateTo(out, { ...profile, members: 2 }, { onNote: (n) => notes.push(n) });
      } finally {
        process.chdir(cwd);
      }
      expect(notes).toEqual([`removed ${join(out, 'sandbox-store')} (the sandbox store of the earlier population): what apps and the seeder wrote to it is gone`]);
      expect(existsSync(join(out, 'sandbox-store'))).toBe(false);
    }
    const none: string[] = [];
    generateTo(out, profile, { onNote: (n) => none.push(n) });
    expect(none).toEqual([]);
  });

  it('should replace the earlier output whole when the run completes, keeping seed-state/', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    generateTo(out, { ...profile, members: 6 });
    mkdirSync(join(out, 'seed-state'));
    writeFileSync(join(out, 'seed-state', 'dead-letter.ndjson'), 'kept\n');
    generateTo(out, { ...profile, members: 2 });
    expect(bundleOwners(readdirSync(join(out, 'bundles')))).toEqual(['directory', 'member-000000', 'member-000001', 'provider-attribution']);
    expect(existsSync(join(out, 'seed-state', 'dead-letter.ndjson'))).toBe(true);
    expect(leftovers(parent)).toEqual([]);
  });

  it('should generate into a directory holding only the screenshots the browser tests save, and keep them', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    mkdirSync(join(out, 'screenshots'), { recursive: true });
    writeFileSync(join(out, 'screenshots', 'report-25.png'), 'png');
    generateTo(out, { ...profile, members: 2 });
    expect(readFileSync(join(out, 'screenshots', 'report-25.png'), 'utf8')).toBe('png');
    generateTo(out, { ...profile, members: 1 });
    expect(readFileSync(join(out, 'screenshots', 'report-25.png'), 'utf8')).toBe('png');
    expect(leftovers(parent)).toEqual([]);
  });

  it('should keep the sandbox\'s registered clients (serve-state/) when it regenerates', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    mkdirSync(join(out, 'serve-state'), { recursive: true });
    writeFileSync(join(out, 'serve-state', 'clients.json'), '[]\n');
    generateTo(out, { ...profile, members: 2 });
    generateTo(out, { ...profile, members: 1 });
    expect(readFileSync(join(out, 'serve-state', 'clients.json'), 'utf8')).toBe('[]\n');
    expect(leftovers(parent)).toEqual([]);
  });

  it('should move a shard in replacing only that shard\'s files, and leave the others when a shard run fails', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    generateTo(out, profile, { shard: { index: 1, count: 2 } });
    generateTo(out, profile, { shard: { index: 2, count: 2 } });
    const whole = readTree(out);
    const shard1 = new Map([...whole].filter(([f]) => f.includes('shard-1-of-2') || /member-00000[01]|directory|brands/.test(f)));
    // Re-running shard 2 with another seed replaces exactly shard 2's files.
    generateTo(out, { ...profile, seed: 5 }, { shard: { index: 2, count: 2 } });
    const alone = newDir();
    generateTo(alone, { ...profile, seed: 5 }, { shard: { index: 2, count: 2 } });
    const expected = new Map([...shard1, ...readTree(alone)]);
    expectSameTree(expected, out);
    const after = readTree(out);
    // A failing shard run changes nothing.
    expect(() => generateTo(out, profile, { shard: { index: 2, count: 2 }, onProgress: () => { throw new Error('boom'); } })).toThrow('boom');
    expectSameTree(after, out);
    expect(leftovers(parent)).toEqual([]);
  });

  it('should swap entry by entry when --out is the working directory, which stays the same directory', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    generateTo(out, { ...profile, members: 3 });
    const inode = statSync(out).ino;
    const cwd = process.cwd();
    process.chdir(out);
    try {
      generateTo('.', { ...profile, members: 1 });
      expect(bundleOwners(readdirSync('bundles'))).toEqual(['directory', 'member-000000', 'provider-attribution']);
    } finally {
      process.chdir(cwd);
    }
    expect(statSync(out).ino).toBe(inode);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).members.written).toBe(1);
    expect(leftovers(parent)).toEqual([]);
  });

  // A volume mounted at --out (a Kubernetes Job's output volume) is another filesystem than its parent: the run
  // works inside it, since nothing can be renamed across. Mounting needs root with CAP_SYS_ADMIN (CI has it).
  it('should generate into a mount point, whole runs and shards, renaming only within its filesystem', (test) => {
    const parent = newDir();
    const out = join(parent, 'out');
    mkdirSync(out);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'fhirseed-test', out], { stdio: 'ignore' });
    } catch {
      test.skip('cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');
    }
    try {
      const device = statSync(out).dev;
      expect(device).not.toBe(statSync(parent).dev);
      generateTo(out, { ...profile, members: 3 });
      generateTo(out, { ...profile, members: 1 });
      expect(bundleOwners(readdirSync(join(out, 'bundles')))).toEqual(['directory', 'member-000000', 'provider-attribution']);
      generateTo(out, { ...profile, members: 2 }, { shard: { index: 2, count: 2 } });
      expect(readdirSync(out)).toContain('manifest.shard-2-of-2.json');
      expect(statSync(out).dev).toBe(device);
      expect(leftovers(out)).toEqual([]);
      expect(leftovers(parent)).toEqual([]);
    } finally {
      execFileSync('umount', [out]);
    }
  });

  it('should remove what a killed run left beside --out, but not the directory of a process still running', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    mkdirSync(join(parent, `.out.fhirseed-tmp-${dead}`, 'bundles'), { recursive: true });
    mkdirSync(join(parent, `.out.fhirseed-old-${dead}`));
    mkdirSync(join(parent, `.out.fhirseed-tmp-${process.ppid}`));
    mkdirSync(join(parent, `.out.fhirseed-tmp-${dead}.shard-2-of-3`));
    generateTo(out, profile);
    expect(leftovers(parent).sort()).toEqual([`.out.fhirseed-tmp-${dead}.shard-2-of-3`, `.out.fhirseed-tmp-${process.ppid}`].sort());
  });

  it('should refuse an out that is a file, or lies under a file, before writing anything (named options.out: the library)', () => {
    const parent = newDir();
    const file = join(parent, 'file.txt');
    writeFileSync(file, 'x');
    expect(() => generateTo(file, profile)).toThrow(new UserError(`options.out ${file}: is a file, not a directory`));
    expect(() => generateTo(join(file, 'out'), profile)).toThrow(new UserError(`options.out ${join(file, 'out')}: ${file} is a file, not a directory`));
    expect(readdirSync(parent)).toEqual(['file.txt']);
  });

  it.skipIf(process.getuid?.() === 0)('should refuse an --out in a directory it cannot write, in one line', () => {
    const parent = newDir();
    const locked = join(parent, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    expect(() => generateTo(join(locked, 'out'), profile)).toThrow(/cannot write in .*locked \(EACCES\)/);
  });

  it('should refuse a now that is not a calendar date or before the period start, and a bad run id', () => {
    const out = join(newDir(), 'out');
    expect(() => generateTo(out, profile, { now: '2025-02-30' })).toThrow(new UserError('options.now 2025-02-30: not a calendar date'));
    expect(() => generateTo(out, profile, { now: '2024-12-31' })).toThrow(new UserError('options.now 2024-12-31: before the profile period start 2025-01-01'));
    for (const runId of ['', 'bad id|with pipe', 'a,b', 'x$y', 'back\\slash', '-lead', 'x'.repeat(65)]) {
      expect(() => generateTo(out, profile, { runId }), runId).toThrow(UserError);
    }
    expect(existsSync(out)).toBe(false);
    expect(generateTo(out, profile, { runId: 'Run_2.a-1', now: '2025-01-01' }).runId).toBe('Run_2.a-1');
  });
});

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { generateTo, readTree, shippedProfile, tempDir } from '../helpers/output.js';
import { expectOneLineExit2, runInProcess } from '../seed/helpers/bin.js';

const quiet = { stdout: () => undefined, stderr: () => undefined, isTty: false };
const temp = tempDir('fhirseed-archive-path-');
afterAll(() => temp.cleanup());

/** Output of a good earlier run, and a check that it is still byte-identical. */
async function goodRun(name: string): Promise<() => void> {
  const out = join(temp.dir, name);
  expect(await runCli(['generate', '--members', '2', '--seed', '5', '--out', out], quiet)).toBe(0);
  const before = readTree(out);
  return () => {
    const after = readTree(out);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, bytes] of before) expect(after.get(file)!.equals(bytes), file).toBe(true);
  };
}

describe('generate --archive that cannot be written', () => {
  it.each([
    ['a missing directory', '/nonexistent/a.tar.gz', /--archive \/nonexistent\/a\.tar\.gz: the directory \/nonexistent does not exist/],
    ['a place where no file can be made', '/proc/a.tar.gz', /--archive \/proc\/a\.tar\.gz: cannot write in \/proc \(ENOENT\)/],
  ])('should refuse %s before any work, in one line with exit 2, leaving the earlier output as it was', async (_name, archive, message) => {
    const unchanged = await goodRun(`out-${archive.split('/')[1]}`);
    const run = await runInProcess(['generate', '--members', '3', '--out', join(temp.dir, `out-${archive.split('/')[1]}`), '--archive', archive]);
    expectOneLineExit2(run, message);
    expect(run.stdout).toBe('');
    unchanged();
  }, 60_000);

  it('should pack the archive before the swap, so a failure there leaves --out as it was', async () => {
    const unchanged = await goodRun('out-before-place');
    const out = join(temp.dir, 'out-before-place');
    const packedFrom: string[] = [];
    expect(() =>
      generateTo(out, { ...shippedProfile('default'), members: 3 }, {
        beforePlace: (dir, manifest) => {
          packedFrom.push(dir);
          expect(manifest.members.written).toBe(3);
          expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
          throw new Error('disk full');
        },
      }),
    ).toThrow('disk full');
    expect(packedFrom[0]).not.toBe(out);
    unchanged();
    expect(readdirSync(temp.dir).filter((e) => e.includes('fhirseed-tmp'))).toEqual([]);
  }, 60_000);
});

describe('generate --archive onto an existing file (s13 trial item 8: replaced without a word)', () => {
  it('should refuse a file that is not a fhirseed archive, in one line with exit 2, and keep it', async () => {
    const other = join(temp.dir, 'other');
    const cases: [string, Buffer][] = [
      ['notes.tar.gz', Buffer.from('my notes, not an archive\n')],
      ['plain.tgz', gzipSync(Buffer.from('x'.repeat(2048)))],
    ];
    await runCli(['generate', '--members', '1', '--out', join(temp.dir, 'out-other-src')], quiet);
    await tar.create({ gzip: true, file: join(temp.dir, 'someone.tar.gz'), cwd: temp.dir }, ['out-other-src']);
    cases.push(['someone.tar.gz', readFileSync(join(temp.dir, 'someone.tar.gz'))]);
    for (const [name, bytes] of cases) {
      const archive = join(temp.dir, name);
      writeFileSync(archive, bytes);
      const run = await runInProcess(['generate', '--members', '1', '--out', other, '--archive', archive]);
      expectOneLineExit2(run, new RegExp(`^fhirseed: --archive ${archive.replace(/[.]/g, '\\.')}: exists and is not a fhirseed archive; give another name or remove it\n$`));
      expect(readFileSync(archive).equals(bytes), name).toBe(true);
      expect(existsSync(other)).toBe(false);
    }
  }, 120_000);

  it('should replace an archive fhirseed wrote, and an empty file', async () => {
    const archive = join(temp.dir, 'mine.tar.gz');
    const out = join(temp.dir, 'out-mine');
    writeFileSync(archive, '');
    expect(await runCli(['generate', '--members', '1', '--seed', '1', '--out', out, '--archive', archive], quiet)).toBe(0);
    const first = readFileSync(archive);
    expect(await runCli(['generate', '--members', '2', '--seed', '2', '--out', out, '--archive', archive], quiet)).toBe(0);
    expect(readFileSync(archive).equals(first)).toBe(false);
    const entries: string[] = [];
    await tar.list({ file: archive, onReadEntry: (entry) => void entries.push(entry.path) });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((path) => path.startsWith('fhirseed-'))).toBe(true);
  }, 120_000);
});

describe('generate: paths and values named as the user gave them', () => {
  it('should say --out cannot be written where no directory can be made, not that the disk is full', async () => {
    const run = await runInProcess(['generate', '--members', '1', '--out', '/proc/x']);
    expectOneLineExit2(run, /^fhirseed: --out \/proc\/x: cannot write in \/proc \(ENOENT\)\n$/);
  }, 60_000);

  it("should echo an empty --now as ''", async () => {
    const run = await runInProcess(['generate', '--members', '1', '--out', join(temp.dir, 'now'), '--now', '']);
    expectOneLineExit2(run, /^fhirseed: --now '': expected a date YYYY-MM-DD\n$/);
  }, 60_000);
});

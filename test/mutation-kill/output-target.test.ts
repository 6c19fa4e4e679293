// src/output/target.ts and complete.ts case by case on hand-made directories (issue 19): what `--out` may be, where
// the temporary directory goes and what it sweeps, how a finished run or shard is put in place (nothing lost), and
// what `start` reads from a directory. No population is generated: every case runs in milliseconds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { outputState } from '../../src/output/complete.js';
import { checkOutputTarget, createTempOutput, freeBytes, isInside, moveShardIn, swapInOutput } from '../../src/output/target.js';
import { UserError } from '../../src/util/errors.js';
import { thrown } from '../helpers/thrown.js';

// Not from test/helpers/output.ts, which loads the code maps (5 s) on import: Stryker re-imports per mutant.
function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function readTree(dir: string, under = ''): Map<string, Buffer> {
  const tree = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, under), { withFileTypes: true })) {
    const path = under ? `${under}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [p, b] of readTree(dir, path)) tree.set(p, b);
    else tree.set(path, readFileSync(join(dir, path)));
  }
  return tree;
}

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
function newDir(): string {
  const t = tempDir('fhirseed-k-target-');
  temps.push(t.cleanup);
  return t.dir;
}

/** Writes files (relative path → text) under dir, with their directories. */
function files(dir: string, tree: Record<string, string>): string {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** relative path → text of every file under dir. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries([...readTree(dir)].map(([p, b]) => [p, b.toString('utf8')]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
}

/** A pid no process has: a child that has already exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

describe('checkOutputTarget', () => {
  it('should refuse a file, naming --out', () => {
    const out = join(newDir(), 'file');
    writeFileSync(out, 'x');
    const error = thrown(() => checkOutputTarget(out));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`--out ${out}: is a file, not a directory`);
  });

  it('should refuse a directory holding files fhirseed did not write, naming at most three of them', () => {
    const three = files(newDir(), { 'a.txt': '', 'manifest.json': '{}', 'b.txt': '', 'c.txt': '' });
    const message = thrown(() => checkOutputTarget(three)).message;
    expect(message).toMatch(new RegExp(`^output directory ${three} holds files fhirseed did not write \\(([abc]\\.txt, ){2}[abc]\\.txt\\); choose an empty --out directory$`));
    const four = files(newDir(), { 'a.txt': '', 'b.txt': '', 'c.txt': '', 'd.txt': '' });
    const listed = /\((.*)\)/.exec(thrown(() => checkOutputTarget(four)).message)![1]!;
    expect(listed).toMatch(/^[abcd]\.txt, [abcd]\.txt, [abcd]\.txt, …$/);
  });

  it("should take a directory of fhirseed's own files and return it; for a new one, its nearest existing ancestor", () => {
    const own = files(newDir(), {
      'manifest.json': '{}', 'manifest.shard-1-of-2.json': '{}', 'test-accounts.csv': '', 'test-accounts.shard-1-of-2.json': '', 'brands.json': '{}',
      'bundles/member-000000.json': '{}', 'ndjson/Patient.ndjson': '', 'seed-state/x': '', 'serve-state/y': '', 'screenshots/a.png': '', 'sandbox-store/s': '',
    });
    mkdirSync(join(own, '.fhirseed-tmp-12'));
    mkdirSync(join(own, '.fhirseed-old-3.shard-1-of-2'));
    expect(checkOutputTarget(own)).toBe(own);
    const parent = newDir();
    expect(checkOutputTarget(join(parent, 'a', 'b', 'out'))).toBe(parent);
    expect(existsSync(join(parent, 'a'))).toBe(false);
    expect(readdirSync(parent)).toEqual([]); // the write probe is removed
  });

  it('should refuse an output under a file', () => {
    const file = join(newDir(), 'file');
    writeFileSync(file, 'x');
    expect(thrown(() => checkOutputTarget(join(file, 'out'))).message).toBe(`--out ${join(file, 'out')}: ${file} is a file, not a directory`);
  });

  it('should probe an existing empty --out and its parent too (an empty sysfs directory: read-only even for root)', () => {
    const empty = ['/sys/kernel', '/sys/fs', '/sys'].filter(existsSync).flatMap((d) => readdirSync(d).map((n) => join(d, n))).find((d) => {
      try {
        return statSync(d).isDirectory() && readdirSync(d).length === 0;
      } catch {
        return false;
      }
    });
    expect(empty).toBeDefined();
    expect(thrown(() => checkOutputTarget(empty!)).message).toMatch(new RegExp(`^--out ${empty}: cannot write in ${dirname(empty!)} \\([A-Z]+\\)$`));
  });

  it('should refuse a place where no directory can be created, even for root (/proc)', () => {
    const error = thrown(() => checkOutputTarget('/proc/fhirseed-k-out'));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/^--out \/proc\/fhirseed-k-out: cannot write in \/proc \([A-Z]+\)$/);
  });
});

describe('freeBytes', () => {
  it('should give the free bytes of a directory, undefined for a missing one', () => {
    const free = freeBytes(newDir());
    expect(free).toBeGreaterThan(1000);
    expect(Number.isInteger(free)).toBe(true);
    expect(freeBytes('/nonexistent/fhirseed-k')).toBeUndefined();
  });
});

describe('createTempOutput', () => {
  it('should create an empty directory beside --out named after it and the pid (and the shard), with its parents', () => {
    const parent = newDir();
    const out = join(parent, 'new', 'out');
    const temp = createTempOutput(out);
    expect(temp).toBe(join(parent, 'new', `.out.fhirseed-tmp-${process.pid}`));
    expect(readdirSync(temp)).toEqual([]);
    files(temp, { 'old/stuff.json': '{}' });
    expect(createTempOutput(out)).toBe(temp);
    expect(readdirSync(temp)).toEqual([]);
    expect(createTempOutput(out, { index: 2, count: 3 })).toBe(`${temp}.shard-2-of-3`);
    expect(createTempOutput(out, { index: 1, count: 1 })).toBe(temp);
    expect(readdirSync(join(parent, 'new')).sort()).toEqual([`.out.fhirseed-tmp-${process.pid}`, `.out.fhirseed-tmp-${process.pid}.shard-2-of-3`]);
  });

  it("should remove what a dead unsharded run left (its tmp- and old- directories), and nothing of a live run's, a shard's or another output's", () => {
    const parent = newDir();
    const dead = deadPid();
    const leftovers = [`.out.fhirseed-tmp-${dead}`, `.out.fhirseed-old-${dead}`];
    const kept = [`.out.fhirseed-tmp-${process.ppid}`, `.out.fhirseed-old-${process.ppid}`, `.out.fhirseed-tmp-${dead}.shard-1-of-2`, `.other.fhirseed-tmp-${dead}`, `.out.fhirseed-tmp-${dead}x`, `.out.fhirseed-xtmp-${dead}`, `x.out.fhirseed-old-${dead}`, `.out.fhirseed-new-${dead}`];
    for (const name of [...leftovers, ...kept]) files(join(parent, name), { 'f.json': '{}' });
    createTempOutput(join(parent, 'out'), { index: 1, count: 2 });
    expect(readdirSync(parent).filter((n) => leftovers.includes(n)).sort()).toEqual([...leftovers].sort()); // a shard sweeps nothing
    const temp = createTempOutput(join(parent, 'out'));
    expect(readdirSync(parent).sort()).toEqual([...kept, basename(temp), `.out.fhirseed-tmp-${process.pid}.shard-1-of-2`].sort());
  });

  it('should name --out and the directory it could not create', () => {
    const error = thrown(() => createTempOutput('/proc/fhirseed-k-out'));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(new RegExp(`^--out /proc/fhirseed-k-out: cannot create /proc/\\.fhirseed-k-out\\.fhirseed-tmp-${process.pid} \\([A-Z]+\\)$`));
    const file = join(newDir(), 'file');
    writeFileSync(file, 'x');
    expect(thrown(() => createTempOutput(join(file, 'sub', 'out'))).message).toMatch(new RegExp(`^--out ${join(file, 'sub', 'out')}: cannot create ${join(file, 'sub')} \\([A-Z]+\\)$`));
  });

  it('should put the temporary directory inside --out when --out is a mount point (/dev/shm)', () => {
    const temp = createTempOutput('/dev/shm');
    try {
      expect(temp).toBe(`/dev/shm/.fhirseed-tmp-${process.pid}`);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
});

describe('swapInOutput', () => {
  it('should rename the temporary directory to a new --out', () => {
    const parent = newDir();
    const temp = files(join(parent, '.out.fhirseed-tmp-1'), { 'manifest.json': '{"new":1}' });
    swapInOutput(temp, join(parent, 'out'));
    expect(readdirSync(parent)).toEqual(['out']);
    expect(contents(join(parent, 'out'))).toEqual({ 'manifest.json': '{"new":1}' });
  });

  it('should replace an existing --out whole, carrying over seed-state/, serve-state/ and screenshots/ and leaving nothing aside', () => {
    const parent = newDir();
    const out = files(join(parent, 'out'), { 'manifest.json': 'old', 'bundles/member-000009.json': 'old', 'seed-state/dead-letter.ndjson': 'kept', 'serve-state/clients.json': 'kept', 'screenshots/a.png': 'kept' });
    const temp = files(join(parent, '.out.fhirseed-tmp-1'), { 'manifest.json': 'new', 'bundles/member-000000.json': 'new' });
    const ino = statSync(temp).ino;
    swapInOutput(temp, out);
    expect(statSync(out).ino).toBe(ino); // the temporary directory itself, renamed: not filled entry by entry
    expect(readdirSync(parent)).toEqual(['out']);
    expect(contents(out)).toEqual({ 'bundles/member-000000.json': 'new', 'manifest.json': 'new', 'screenshots/a.png': 'kept', 'seed-state/dead-letter.ndjson': 'kept', 'serve-state/clients.json': 'kept' });
  });

  it('should carry over only the kept directories there are', () => {
    const parent = newDir();
    const out = files(join(parent, 'out'), { 'manifest.json': 'old', 'screenshots/a.png': 'kept' });
    swapInOutput(files(join(parent, '.out.fhirseed-tmp-1'), { 'manifest.json': 'new' }), out);
    expect(contents(out)).toEqual({ 'manifest.json': 'new', 'screenshots/a.png': 'kept' });
  });

  it('should put --out back as it was when the temporary directory cannot be renamed in', () => {
    const parent = newDir();
    const out = files(join(parent, 'out'), { 'manifest.json': 'old', 'seed-state/x': 'kept' });
    expect(() => swapInOutput(join(parent, '.out.fhirseed-tmp-1'), out)).toThrow(/ENOENT/);
    expect(readdirSync(parent)).toEqual(['out']);
    expect(contents(out)).toEqual({ 'manifest.json': 'old', 'seed-state/x': 'kept' });
  });

  it('should swap entry by entry when the temporary directory is inside --out (a mount point), keeping the kept ones', () => {
    const parent = newDir();
    const out = files(join(parent, 'out'), { 'manifest.json': 'old', 'ndjson/Patient.ndjson': 'old', 'seed-state/x': 'kept' });
    const temp = files(join(out, '.fhirseed-tmp-1'), { 'manifest.json': 'new', 'bundles/member-000000.json': 'new' });
    swapInOutput(temp, out);
    expect(readdirSync(parent)).toEqual(['out']);
    expect(contents(out)).toEqual({ 'bundles/member-000000.json': 'new', 'manifest.json': 'new', 'seed-state/x': 'kept' });
  });

  it('should swap entry by entry when the working directory is inside --out', () => {
    const parent = newDir();
    const out = files(join(parent, 'out'), { 'manifest.json': 'old', 'bundles/member-000001.json': 'old', 'screenshots/s.png': 'kept' });
    const temp = files(join(parent, '.out.fhirseed-tmp-1'), { 'manifest.json': 'new' });
    // process.cwd() stands in for chdir, which Stryker's worker threads do not allow.
    const cwd = vi.spyOn(process, 'cwd').mockReturnValue(join(out, 'bundles'));
    try {
      swapInOutput(temp, out);
    } finally {
      cwd.mockRestore();
    }
    expect(readdirSync(parent)).toEqual(['out']);
    expect(contents(out)).toEqual({ 'manifest.json': 'new', 'screenshots/s.png': 'kept' });
  });

  it('should put every entry back when an entry cannot be swapped in', () => {
    const parent = newDir();
    const out = files(join(parent, 'out'), { 'manifest.json': 'old', 'ndjson/Patient.ndjson': 'old', 'seed-state/x': 'kept' });
    // seed-state/ stays in --out, so the new seed-state/ (not empty) cannot be renamed onto it.
    const temp = files(join(out, '.fhirseed-tmp-1'), { 'a.json': 'new', 'b.json': 'new', 'bundles/member-000000.json': 'new', 'seed-state/z': 'new', 'y.json': 'new', 'z.json': 'new' });
    expect(() => swapInOutput(temp, out)).toThrow(/ENOTEMPTY|EEXIST/);
    expect(readdirSync(parent)).toEqual(['out']);
    const after = contents(out);
    expect(Object.keys(after).filter((p) => !p.startsWith('.fhirseed-tmp-1/'))).toEqual(['manifest.json', 'ndjson/Patient.ndjson', 'seed-state/x']);
    expect(after['manifest.json']).toBe('old');
  });
});

describe('moveShardIn', () => {
  const earlier = {
    'manifest.shard-1-of-2.json': 'old 1', 'manifest.shard-2-of-2.json': 'old 2', 'test-accounts.shard-1-of-2.json': 'old 1', 'test-accounts.shard-2-of-2.csv': 'old 2',
    'ndjson/Patient.shard-1-of-2.ndjson': 'old 1', 'ndjson/Patient.shard-2-of-2.ndjson': 'old 2',
    'bundles/directory.json': 'old 1', 'bundles/directory-2.json': 'old 1', 'bundles/member-000000.json': 'old 1', 'bundles/member-000001-2.json': 'old 1',
    'bundles/member-000002.json': 'old 2', 'bundles/member-000003.json': 'old 2', 'bundles/provider-attribution.json': 'other', 'seed-state/x': 'kept',
  };

  it("should replace the first shard's own files (its suffixed files, its members' bundles, the directory) and leave the other shard's", () => {
    const parent = newDir();
    const out = files(join(parent, 'out'), earlier);
    const temp = files(join(parent, 'tmp'), { 'manifest.shard-1-of-2.json': 'new', 'ndjson/Patient.shard-1-of-2.ndjson': 'new', 'bundles/directory.json': 'new', 'bundles/member-000000.json': 'new', 'brands.json': 'new' });
    moveShardIn(temp, out, { index: 1, count: 2 }, { first: 0, end: 2 });
    expect(existsSync(temp)).toBe(false);
    expect(contents(out)).toEqual({
      'brands.json': 'new', 'bundles/directory.json': 'new', 'bundles/member-000000.json': 'new', 'bundles/member-000002.json': 'old 2',
      'bundles/member-000003.json': 'old 2', 'bundles/provider-attribution.json': 'other', 'manifest.shard-1-of-2.json': 'new', 'manifest.shard-2-of-2.json': 'old 2',
      'ndjson/Patient.shard-1-of-2.ndjson': 'new', 'ndjson/Patient.shard-2-of-2.ndjson': 'old 2', 'seed-state/x': 'kept', 'test-accounts.shard-2-of-2.csv': 'old 2',
    });
  });

  it("should replace a later shard's files and members only, the directory left", () => {
    const parent = newDir();
    const out = files(join(parent, 'out'), earlier);
    const temp = files(join(parent, 'tmp'), { 'manifest.shard-2-of-2.json': 'new', 'bundles/member-000003.json': 'new' });
    moveShardIn(temp, out, { index: 2, count: 2 }, { first: 2, end: 4 });
    expect(contents(out)).toEqual({
      ...Object.fromEntries(Object.entries(earlier).filter(([p]) => !p.includes('2-of-2') && !/member-00000[23]/.test(p))),
      'manifest.shard-2-of-2.json': 'new', 'bundles/member-000003.json': 'new',
    });
  });

  it("should remove exactly the first shard's directory and member bundles, leaving look-alike files", () => {
    const parent = newDir();
    const own = ['bundles/directory.json', 'bundles/directory-12.json', 'bundles/member-000001.json', 'bundles/member-000001-12.json'];
    const alike = ['bundles/directory.json.orig', 'bundles/my-directory.json', 'bundles/directory-x.json', 'bundles/member-000001.json.bak', 'bundles/old-member-000001.json', 'bundles/member-000001-x.json', 'ndjson/member-000001.json', 'ndjson/directory.json'];
    const out = files(join(parent, 'out'), Object.fromEntries([...own, ...alike].map((p) => [p, 'old'])));
    moveShardIn(files(join(parent, 'tmp'), { 'manifest.shard-1-of-2.json': 'new' }), out, { index: 1, count: 2 }, { first: 0, end: 2 });
    expect(Object.keys(contents(out)).sort()).toEqual([...alike, 'manifest.shard-1-of-2.json'].sort());
  });

  it('should create --out and its ndjson/ and bundles/ when missing', () => {
    const parent = newDir();
    const temp = files(join(parent, 'tmp'), { 'manifest.shard-1-of-2.json': 'new', 'ndjson/Patient.shard-1-of-2.ndjson': 'new', 'bundles/member-000000.json': 'new' });
    moveShardIn(temp, join(parent, 'a', 'out'), { index: 1, count: 2 }, { first: 0, end: 1 });
    expect(contents(join(parent, 'a', 'out'))).toEqual({ 'bundles/member-000000.json': 'new', 'manifest.shard-1-of-2.json': 'new', 'ndjson/Patient.shard-1-of-2.ndjson': 'new' });
    const out = files(join(parent, 'b'), { 'manifest.shard-2-of-2.json': 'old 2' });
    moveShardIn(files(join(parent, 'tmp2'), { 'ndjson/Patient.shard-1-of-2.ndjson': 'new' }), out, { index: 1, count: 2 }, { first: 0, end: 1 });
    expect(contents(out)).toEqual({ 'manifest.shard-2-of-2.json': 'old 2', 'ndjson/Patient.shard-1-of-2.ndjson': 'new' });
  });
});

describe('isInside', () => {
  it('should tell a path inside a directory, the directory itself, and a sibling sharing its name as prefix', () => {
    expect(isInside('/a/b/c', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b/', '/a/b')).toBe(true);
    expect(isInside('/a/bc', '/a/b')).toBe(false);
    expect(isInside('/a', '/a/b')).toBe(false);
    expect(isInside('/x/y', '/')).toBe(true);
  });
});

// ---- complete.ts ----

const manifest = (o: object) => JSON.stringify(o);
const whole = (m: object = {}) => manifest({ files: ['ndjson/Patient.ndjson', 'test-accounts.csv'], members: { total: 2, first: 0, last: 1, written: 2 }, ...m });

describe('outputState', () => {
  it('should tell missing, empty, kept-only and foreign directories', () => {
    const dir = newDir();
    expect(outputState(join(dir, 'none'))).toEqual({ kind: 'missing' });
    expect(outputState(dir)).toEqual({ kind: 'empty' });
    files(dir, { 'seed-state/a': '', 'serve-state/b': '', 'screenshots/c': '' });
    expect(outputState(dir)).toEqual({ kind: 'empty' });
    mkdirSync(join(dir, 'bundles'));
    expect(outputState(dir)).toEqual({ kind: 'incomplete', reason: 'no manifest.json' });
    files(dir, { 'notes.txt': '', 'manifest.json': whole(), 'z.md': '' });
    expect(outputState(dir)).toEqual({ kind: 'foreign', files: expect.arrayContaining(['notes.txt', 'z.md']) });
    expect((outputState(dir) as { files: string[] }).files).toHaveLength(2);
  });

  it('should call an output complete when every listed file and member bundle is whole and every member written', () => {
    const dir = files(newDir(), {
      'manifest.json': whole(), 'ndjson/Patient.ndjson': '{"a":1}\n{"a":2}\n', 'test-accounts.csv': 'a,b',
      'bundles/member-000000.json': '{"x":[]}', 'bundles/member-000001.json': '[1]\n',
    });
    expect(outputState(dir)).toEqual({ kind: 'complete' });
    writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), '');
    expect(outputState(dir)).toEqual({ kind: 'complete' }); // an empty NDJSON file is whole
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 20; i++) outputState(dir);
    expect(fds()).toBe(before); // every file read is closed again
  });

  it('should name what makes an output incomplete', () => {
    const base = { 'ndjson/Patient.ndjson': '{}\n', 'test-accounts.csv': '' };
    const state = (tree: Record<string, string>) => outputState(files(newDir(), tree));
    expect(state({ 'bundles/x.json': '{}' })).toEqual({ kind: 'incomplete', reason: 'no manifest.json' });
    expect(state({ ...base, 'manifest.json': '{"files":' })).toEqual({ kind: 'incomplete', reason: 'manifest.json is not readable JSON' });
    expect(state({ ...base, 'manifest.json': manifest({ members: { written: 2, total: 2 } }) })).toEqual({ kind: 'incomplete', reason: 'a manifest lacks files or members' });
    expect(state({ ...base, 'manifest.json': manifest({ files: {}, members: { written: 2, total: 2 } }) })).toEqual({ kind: 'incomplete', reason: 'a manifest lacks files or members' });
    expect(state({ ...base, 'manifest.json': manifest({ files: [] }) })).toEqual({ kind: 'incomplete', reason: 'a manifest lacks files or members' });
    expect(state({ ...base, 'manifest.json': manifest({ files: [], members: { written: '2', total: '2' } }) })).toEqual({ kind: 'incomplete', reason: 'a manifest lacks files or members' });
    expect(state({ 'test-accounts.csv': '', 'manifest.json': whole() })).toEqual({ kind: 'incomplete', reason: 'ndjson/Patient.ndjson, listed in the manifest, is missing' });
    expect(state({ ...base, 'manifest.json': whole({ files: [7] }) })).toEqual({ kind: 'incomplete', reason: '7, listed in the manifest, is missing' });
    expect(state({ ...base, 'ndjson/Patient.ndjson': '{}\n{"a"', 'manifest.json': whole() })).toEqual({ kind: 'incomplete', reason: 'ndjson/Patient.ndjson is cut short' });
    expect(state({ ...base, 'manifest.json': whole({ members: { total: 3, first: 0, last: 2, written: 2 } }) })).toEqual({ kind: 'incomplete', reason: '2 of 3 members written' });
    expect(state({ ...base, 'manifest.json': whole({ members: { first: 0, last: 1, written: 2 } }) })).toEqual({ kind: 'incomplete', reason: '2 of undefined members written' });
  });

  it('should call a JSON file cut short unless it runs from { or [ to } or ], trailing white space allowed', () => {
    const cut = (text: string, name = 'brands.json') => {
      const dir = files(newDir(), { 'manifest.json': whole({ files: [name] }), [name]: text });
      return outputState(dir);
    };
    for (const text of ['{}', '[]', '{"a":[1]}\n', '[{}] ', '{\n}\n']) expect(cut(text), JSON.stringify(text)).toEqual({ kind: 'complete' });
    for (const text of ['', '{', '{"a":1', '"x"}', ' {}', '[1,', '}', 'a]', '{}a', '[]\n}x']) expect(cut(text), JSON.stringify(text)).toEqual({ kind: 'incomplete', reason: 'brands.json is cut short' });
    expect(cut('{}\n', 'ndjson/x.ndjson')).toEqual({ kind: 'complete' });
    expect(cut('{}', 'ndjson/x.ndjson')).toEqual({ kind: 'incomplete', reason: 'ndjson/x.ndjson is cut short' });
    expect(cut('\n', 'ndjson/x.ndjson')).toEqual({ kind: 'complete' });
    expect(cut('', 'test-accounts.csv')).toEqual({ kind: 'complete' }); // other files are not read
    expect(cut('a,b', 'test-accounts.csv')).toEqual({ kind: 'complete' });
  });

  it("should check every member's bundle between first and last when bundles were written", () => {
    const tree = { 'manifest.json': whole({ files: [], members: { total: 3, first: 0, last: 2, written: 3 } }), 'bundles/member-000000.json': '{}', 'bundles/member-000002.json': '{}' };
    expect(outputState(files(newDir(), tree))).toEqual({ kind: 'incomplete', reason: 'bundles/member-000001.json is missing' });
    expect(outputState(files(newDir(), { ...tree, 'bundles/member-000001.json': '{"entry":[' }))).toEqual({ kind: 'incomplete', reason: 'bundles/member-000001.json is cut short' });
    expect(outputState(files(newDir(), { ...tree, 'bundles/member-000001.json': '{}' }))).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), { ...tree, 'bundles/member-000001.json': '{}', 'bundles/member-000002.json': '{' }))).toEqual({ kind: 'incomplete', reason: 'bundles/member-000002.json is cut short' });
    // No bundles written (--format ndjson), or no member range in the manifest: nothing to check.
    expect(outputState(files(newDir(), { 'manifest.json': tree['manifest.json'] }))).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), { ...tree, 'manifest.json': whole({ files: [], members: { total: 3, written: 3 } }) }))).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), { ...tree, 'manifest.json': whole({ files: [], members: { total: 3, first: 0, written: 3 } }) }))).toEqual({ kind: 'complete' });
  });

  const shardManifest = (i: number, n: number, first: number, last: number, extra: object = {}) =>
    manifest({ files: [`ndjson/Patient.shard-${i}-of-${n}.ndjson`], members: { total: 4, first, last, written: last - first + 1 }, shard: { index: i, count: n }, ...extra });
  const shardFiles = (i: number, n: number) => ({ [`ndjson/Patient.shard-${i}-of-${n}.ndjson`]: '{}\n' });

  it('should call a set of shards complete only when every shard of one count is there and every member written', () => {
    const two = { ...shardFiles(1, 2), ...shardFiles(2, 2), 'manifest.shard-1-of-2.json': shardManifest(1, 2, 0, 1), 'manifest.shard-2-of-2.json': shardManifest(2, 2, 2, 3) };
    expect(outputState(files(newDir(), two))).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), { ...two, 'manifest.shard-2-of-2.json': shardManifest(2, 2, 2, 3, { members: { total: 4, first: 2, last: 3, written: 1 } }) }))).toEqual({ kind: 'incomplete', reason: '3 of 4 members written' });
    const { 'manifest.shard-2-of-2.json': _, ...first } = two;
    expect(outputState(files(newDir(), first))).toEqual({ kind: 'partial-shards', reason: 'manifest.shard-1-of-2.json is there, manifest.shard-2-of-2.json is missing' });
    const three = { ...shardFiles(1, 3), ...shardFiles(3, 3), 'manifest.shard-3-of-3.json': shardManifest(3, 3, 2, 3), 'manifest.shard-1-of-3.json': shardManifest(1, 3, 0, 0) };
    expect(outputState(files(newDir(), three))).toEqual({ kind: 'partial-shards', reason: 'manifest.shard-1-of-3.json, manifest.shard-3-of-3.json are there, manifest.shard-2-of-3.json is missing' });
    const mixed = { ...first, ...shardFiles(2, 3), 'manifest.shard-2-of-3.json': shardManifest(2, 3, 1, 2) };
    expect(outputState(files(newDir(), mixed))).toEqual({ kind: 'incomplete', reason: 'shard manifests of different shard counts (manifest.shard-1-of-2.json, manifest.shard-2-of-3.json)' });
    // A whole run's manifest.json counts alone: shard manifests beside it are not read.
    const withWhole = { ...first, 'manifest.json': manifest({ files: [], members: { total: 4, written: 4 } }), 'manifest.shard-9-of-9.json': manifest({ files: ['gone.json'], members: { total: 9, written: 1 } }) };
    expect(outputState(files(newDir(), withWhole))).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), { ...first, 'manifest.json': manifest({ files: [], members: { total: 4, written: 4 } }) }))).toEqual({ kind: 'complete' });
    // Twelve shards: two-digit indexes and counts.
    const twelve: Record<string, string> = {};
    for (let i = 1; i <= 12; i++) Object.assign(twelve, shardFiles(i, 12), { [`manifest.shard-${i}-of-12.json`]: manifest({ files: [`ndjson/Patient.shard-${i}-of-12.ndjson`], members: { total: 12, first: i - 1, last: i - 1, written: 1 } }) });
    expect(outputState(files(newDir(), twelve))).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), { ...shardFiles(10, 12), 'manifest.shard-10-of-12.json': twelve['manifest.shard-10-of-12.json']! })))
      .toEqual({ kind: 'partial-shards', reason: 'manifest.shard-10-of-12.json is there, manifest.shard-1-of-12.json is missing' });
    // A file that only starts like a manifest is no manifest.
    expect(outputState(files(newDir(), { 'manifest.shard-1-of-2.json.json': shardManifest(1, 2, 0, 1), 'manifest.json.json': whole() }))).toEqual({ kind: 'incomplete', reason: 'no manifest.json' });
    expect(outputState(files(newDir(), withWhole), { index: 1, count: 1 })).toEqual({ kind: 'complete' });
  });

  it("should judge one shard (start --shard i/N) by its own manifest and members alone", () => {
    const tree = { ...shardFiles(2, 2), 'manifest.shard-1-of-2.json': 'not json', 'manifest.shard-2-of-2.json': shardManifest(2, 2, 2, 3) };
    expect(outputState(files(newDir(), tree), { index: 2, count: 2 })).toEqual({ kind: 'complete' });
    const { 'manifest.shard-1-of-2.json': _, ...alone } = tree;
    expect(outputState(files(newDir(), alone), { index: 2, count: 2 })).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), tree), { index: 1, count: 2 })).toEqual({ kind: 'incomplete', reason: 'manifest.shard-1-of-2.json is not readable JSON' });
    expect(outputState(files(newDir(), { ...shardFiles(1, 2) }), { index: 1, count: 2 })).toEqual({ kind: 'incomplete', reason: 'manifest.shard-1-of-2.json is missing' });
    expect(outputState(files(newDir(), { ...tree, 'manifest.shard-2-of-2.json': shardManifest(2, 2, 2, 3, { members: { total: 4, first: 2, last: 3, written: 1 } }) }), { index: 2, count: 2 }))
      .toEqual({ kind: 'incomplete', reason: '1 of 2 members of the shard written' });
    // No range in a shard's manifest: its own count is not checked.
    expect(outputState(files(newDir(), { ...tree, 'manifest.shard-2-of-2.json': manifest({ files: [], members: { total: 4, written: 1 } }) }), { index: 2, count: 2 })).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), { ...tree, 'manifest.shard-2-of-2.json': manifest({ files: [], members: { total: 4, first: 2, written: 1 } }) }), { index: 2, count: 2 })).toEqual({ kind: 'complete' });
    expect(outputState(files(newDir(), { ...tree, 'manifest.shard-2-of-2.json': manifest({ files: [], members: { total: 4, last: 3, written: 1 } }) }), { index: 2, count: 2 })).toEqual({ kind: 'complete' });
    // Its members' bundles are checked, the other shard's are not.
    const bundles = { ...tree, 'bundles/member-000002.json': '{}', 'bundles/member-000000.json': '{' };
    expect(outputState(files(newDir(), bundles), { index: 2, count: 2 })).toEqual({ kind: 'incomplete', reason: 'bundles/member-000003.json is missing' });
  });
});

// The small files of src/output case by case (issue 19): the .tar.gz archive read back with an independent reader
// (the `tar` package), the --archive checks, the size estimate and its units worked by hand, the test accounts and
// their CSV, and which write failures are the environment's. Milliseconds each; no population is generated.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { accountCsvRow, accountsCsvHeader, testAccount } from '../../src/output/accounts.js';
import { checkArchiveTarget, writeArchive } from '../../src/output/archive.js';
import { estimateBytes, formatBytes } from '../../src/output/estimate.js';
import { writeFailure } from '../../src/output/write-failure.js';
import type { MemberStory } from '../../src/story/types.js';
import { UserError } from '../../src/util/errors.js';
import { thrown } from '../helpers/thrown.js';

// Not from test/helpers/output.ts, which loads the code maps (5 s) on import: Stryker re-imports per mutant.
function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
function newDir(): string {
  const t = tempDir('fhirseed-k-files-');
  temps.push(t.cleanup);
  return t.dir;
}

function files(dir: string, tree: Record<string, string | Buffer>): string {
  for (const [path, body] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

interface Entry { path: string; type: string; mode?: number; uid?: number; gid?: number; mtime?: number; size?: number; body: string }

/** Every entry of a .tar.gz as the `tar` package reads it (strict: a bad checksum or header throws), and its warnings. */
async function readTar(file: string): Promise<{ entries: Entry[]; warnings: string[] }> {
  const entries: Entry[] = [];
  const warnings: string[] = [];
  await tar.list({
    file,
    strict: true,
    onwarn: (code: string, message: string | Error) => warnings.push(`${code} ${String(message)}`),
    onReadEntry: (e) => {
      const chunks: Buffer[] = [];
      e.on('data', (c: Buffer) => chunks.push(c));
      e.on('end', () => entries.push({ path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime?.getTime(), size: e.size, body: Buffer.concat(chunks).toString('utf8') }));
    },
  });
  return { entries, warnings };
}

describe('writeArchive', () => {
  const tree = {
    'manifest.json': '{"members":2}\n',
    'bundles/member-000000.json': 'é'.repeat(256), // 512 bytes: no padding
    'bundles/member-000001.json': 'x'.repeat(513),
    'ndjson/Patient.ndjson': '',
    'test-accounts.csv': 'a,b\n',
    'seed-state/checkpoint.json': 'not archived',
    'sandbox-store/store.sqlite': 'not archived',
    'screenshots/a.png': 'png',
    // Sorted as whole paths ('-' before '/'), not directory by directory as they are read.
    'bundles-old.json': '{}',
  };

  it('should pack every file but the seeder state and the sandbox store under the prefix, sorted, as a ustar archive the tar package reads', async () => {
    const dir = files(newDir(), tree);
    symlinkSync(join(dir, 'manifest.json'), join(dir, 'link.json')); // neither a file nor a directory: left out
    const file = join(newDir(), 'out.tar.gz');
    const result = writeArchive(dir, file, 'population-1');
    expect(readFileSync(file)[8]).toBe(2); // gzip's XFL: maximum compression (level 9)
    const { entries, warnings } = await readTar(file);
    expect(warnings).toEqual([]);
    const packed = Object.entries(tree).filter(([p]) => !/^(seed-state|sandbox-store)\//.test(p)).sort(([a], [b]) => (a < b ? -1 : 1));
    expect(entries.map((e) => e.path)).toEqual(packed.map(([p]) => `population-1/${p}`));
    expect(entries.map((e) => e.body)).toEqual(packed.map(([, body]) => body));
    for (const e of entries) {
      expect(e, e.path).toMatchObject({ type: 'File', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: Buffer.byteLength(tree[e.path.slice('population-1/'.length) as keyof typeof tree]) });
    }
    expect(result).toEqual({ files: packed.length, bytes: statSync(file).size });
    // Headers, bodies padded to 512 bytes, then two zero blocks.
    const raw = gunzipSync(readFileSync(file));
    const padded = packed.reduce((sum, [, body]) => sum + 512 + Math.ceil(Buffer.byteLength(body) / 512) * 512, 0);
    expect(raw.length).toBe(padded + 1024);
    expect(raw.subarray(raw.length - 1024).every((b) => b === 0)).toBe(true);
    expect(raw.subarray(257, 265).toString('latin1')).toBe('ustar\x0000');
    expect(raw.subarray(156, 157).toString('latin1')).toBe('0');
    // Numeric fields as ustar writes them: zero-padded octal, NUL-ended (the checksum: six digits, NUL, space).
    expect(raw.subarray(100, 136).toString('latin1')).toBe('0000644\x000000000\x000000000\x0000000000002\x00');
    expect(raw.subarray(148, 156).toString('latin1')).toMatch(/^[0-7]{6}\x00 $/);
    // A path of 100 bytes or less sits whole in the name field, the prefix field empty.
    expect(raw.subarray(0, 100).toString('utf8').replace(/\0+$/, '')).toBe('population-1/bundles-old.json');
    expect(raw.subarray(345, 500).every((b) => b === 0)).toBe(true);
  });

  it('should give the same bytes for the same files, and other bytes for other contents', () => {
    const a = join(newDir(), 'a.tgz');
    const b = join(newDir(), 'b.tgz');
    writeArchive(files(newDir(), tree), a, 'p');
    writeArchive(files(newDir(), tree), b, 'p');
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    writeArchive(files(newDir(), { ...tree, 'manifest.json': '{"members":3}\n' }), b, 'p');
    expect(readFileSync(a).equals(readFileSync(b))).toBe(false);
  });

  it('should keep a path over 100 bytes in the ustar prefix field, and refuse one no split can hold', async () => {
    const deep = `bundles/${'d'.repeat(60)}/${'e'.repeat(60)}/member-000000.json`;
    const dir = files(newDir(), { [deep]: '{}' });
    const file = join(newDir(), 'long.tar.gz');
    writeArchive(dir, file, 'p');
    const { entries, warnings } = await readTar(file);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.path, e.body])).toEqual([[`p/${deep}`, '{}']]);
    const raw = gunzipSync(readFileSync(file));
    expect(raw.subarray(0, 100).toString('utf8').replace(/\0+$/, '')).toBe('member-000000.json');
    expect(raw.subarray(345, 500).toString('utf8').replace(/\0+$/, '')).toBe(`p/bundles/${'d'.repeat(60)}/${'e'.repeat(60)}`);

    // Exactly 100 bytes: the name field holds it whole; after a split, a 100-byte last part still fits.
    const exact = files(newDir(), { [`${'x'.repeat(93)}.json`]: '{}', [`d/${'y'.repeat(95)}.json`]: '{}' });
    writeArchive(exact, file, 'p');
    expect((await readTar(file)).entries.map((e) => e.path)).toEqual([`p/d/${'y'.repeat(95)}.json`, `p/${'x'.repeat(93)}.json`]);
    const rawExact = gunzipSync(readFileSync(file));
    expect(rawExact.subarray(512 + 512, 512 + 512 + 100).toString('utf8')).toBe(`p/${'x'.repeat(93)}.json`);
    expect(rawExact.subarray(512 + 512 + 345, 512 + 512 + 500).every((b) => b === 0)).toBe(true);
    expect(rawExact.subarray(0, 100).toString('utf8')).toBe(`${'y'.repeat(95)}.json`);
    // No prefix at all: a name that is one slash and 100 bytes cannot be split at that slash.
    const bare = files(newDir(), { [`${'z'.repeat(95)}.json`]: '{}' });
    expect(thrown(() => writeArchive(bare, join(newDir(), 'x.tgz'), '')).message).toBe(`cannot archive /${'z'.repeat(95)}.json: path too long for a tar file`);

    const longName = files(newDir(), { [`${'n'.repeat(101)}.json`]: '{}' });
    const error = thrown(() => writeArchive(longName, join(newDir(), 'x.tgz'), 'p'));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`cannot archive p/${'n'.repeat(101)}.json: path too long for a tar file`);
    const longPrefix = files(newDir(), { [`${'d'.repeat(200)}/f.json`]: '{}' }); // no slash within the prefix's 155 bytes
    expect(() => writeArchive(longPrefix, join(newDir(), 'x.tgz'), 'p')).toThrow(/path too long for a tar file/);
  });

  it('should name --archive when the file cannot be written', () => {
    const file = join(newDir(), 'missing', 'x.tar.gz');
    const error = thrown(() => writeArchive(files(newDir(), { 'manifest.json': '{}' }), file, 'p'));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`--archive ${file}: cannot write (ENOENT)`);
  });
});

describe('checkArchiveTarget', () => {
  it('should take a new or existing .tar.gz/.tgz file in a directory, leaving nothing new and an existing file as it was', () => {
    const dir = newDir();
    checkArchiveTarget(join(dir, 'a.tar.gz'));
    checkArchiveTarget(join(dir, 'b.tgz'));
    expect(existsSync(join(dir, 'a.tar.gz')) || existsSync(join(dir, 'b.tgz'))).toBe(false);
    // An archive fhirseed wrote (entries under fhirseed-) is taken and left as it was; anything else is refused, kept.
    writeArchive(files(newDir(), { 'manifest.json': '{}\n' }), join(dir, 'c.tgz'), 'fhirseed-run-1');
    const before = readFileSync(join(dir, 'c.tgz'));
    checkArchiveTarget(join(dir, 'c.tgz'));
    expect(readFileSync(join(dir, 'c.tgz')).equals(before)).toBe(true);
    writeFileSync(join(dir, 'd.tgz'), 'old');
    expect(thrown(() => checkArchiveTarget(join(dir, 'd.tgz'))).message).toBe(`--archive ${join(dir, 'd.tgz')}: exists and is not a fhirseed archive; give another name or remove it`);
    expect(readFileSync(join(dir, 'd.tgz'), 'utf8')).toBe('old');
  });

  it('should refuse other names, a missing or non-directory parent, a directory, and a place that cannot be written', () => {
    const dir = newDir();
    const message = (file: string) => thrown(() => checkArchiveTarget(file)).message;
    for (const name of ['a.tar', 'a.gz', 'a.tar.gz.txt', 'a.tgzx', 'a-tgz']) {
      expect(message(join(dir, name)), name).toBe(`--archive ${join(dir, name)}: the archive is a gzipped tar; name it …tar.gz or …tgz`);
    }
    expect(message('')).toBe("--archive '': the archive is a gzipped tar; name it …tar.gz or …tgz");
    expect(message(join(dir, '.tar.gz'))).toBe(`--archive ${join(dir, '.tar.gz')}: the archive is a gzipped tar; name it …tar.gz or …tgz`);
    expect(message(join(dir, '.tgz'))).toMatch(/name it/);
    checkArchiveTarget(join(dir, 'x.tar.gz')); // a name before the extension is enough
    checkArchiveTarget(join(dir, '.tgz.tar.gz')); // only a bare extension is refused
    expect(message(join(dir, 'none', 'a.tgz'))).toBe(`--archive ${join(dir, 'none', 'a.tgz')}: the directory ${join(dir, 'none')} does not exist`);
    writeFileSync(join(dir, 'file'), '');
    expect(message(join(dir, 'file', 'a.tgz'))).toBe(`--archive ${join(dir, 'file', 'a.tgz')}: ${join(dir, 'file')} is not a directory`);
    mkdirSync(join(dir, 'd.tgz'));
    expect(message(join(dir, 'd.tgz'))).toBe(`--archive ${join(dir, 'd.tgz')}: is a directory`);
    expect(message('/proc/fhirseed-k.tgz')).toMatch(/^--archive \/proc\/fhirseed-k\.tgz: cannot write in \/proc \([A-Z]+\)$/);
    expect(thrown(() => checkArchiveTarget('/proc/fhirseed-k.tgz'))).toBeInstanceOf(UserError);
  });
});

describe('estimateBytes, formatBytes', () => {
  it('should add the directory once and each member per format (bundles 1,222,000 + 580,000 a member; NDJSON 1,128,000 + 542,000)', () => {
    expect(estimateBytes(0, [])).toBe(0);
    expect(estimateBytes(10, ['bundles'])).toBe(1_222_000 + 5_800_000);
    expect(estimateBytes(10, ['ndjson'])).toBe(1_128_000 + 5_420_000);
    expect(estimateBytes(3, ['bundles', 'ndjson'])).toBe(1_222_000 + 1_128_000 + 3 * 1_122_000);
    expect(estimateBytes(0, ['bundles', 'ndjson'])).toBe(2_350_000);
  });

  it('should print decimal units, one decimal below 10', () => {
    const cases: [number, string][] = [
      [0, '0 bytes'], [999, '999 bytes'], [1000, '1.0 KB'], [1_234_567, '1.2 MB'], [12_345, '12 KB'], [999_000, '999 KB'],
      [5e9, '5.0 GB'], [42e12, '42 TB'], [1e15, '1.0 PB'], [1e18, '1.0 EB'], [1e21, '1000 EB'], [9_940, '9.9 KB'], [10_000, '10 KB'],
    ];
    for (const [bytes, text] of cases) expect(formatBytes(bytes), String(bytes)).toBe(text);
  });
});

describe('writeFailure', () => {
  it("should turn the environment's write errors into one line naming --out, and return any other error as it is", () => {
    const reasons: Record<string, string> = {
      ENOSPC: 'no space left on the device',
      EDQUOT: 'the disk quota is exceeded',
      EFBIG: 'a file grew past the size limit (ulimit -f, or the file system)',
      EROFS: 'the file system is read-only',
      EIO: 'an input/output error on the device',
    };
    for (const [code, reason] of Object.entries(reasons)) {
      const error = writeFailure(Object.assign(new Error('write'), { code }), 'out/x');
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe(`cannot write the output for out/x: ${reason} (${code}); removed the partial output, out/x is as it was`);
    }
    for (const other of [Object.assign(new Error('x'), { code: 'EACCES' }), Object.assign(new Error('x'), { code: 'toString' }), Object.assign(new Error('x'), { code: 28 }), new Error('bug'), 'text']) {
      expect(writeFailure(other, 'out')).toBe(other);
    }
    expect(writeFailure(undefined, 'out')).toBeUndefined();
    expect(writeFailure(null, 'out')).toBeNull();
  });
});

describe('testAccount, accountCsvRow', () => {
  const story = (over: Partial<MemberStory['member']> = {}) =>
    ({
      index: 7,
      key: 'k-7',
      member: {
        memberId: 'MBR00007', subscriberId: 'SUB9', relationship: 'spouse', name: { given: ['Ann', 'Lee'], family: 'Smith' },
        birthDate: '1970-02-03', ...over,
      },
      coverages: [{ planName: 'Gold PPO' }, { planName: 'Dental, "Plus"' }],
      claims: [{ type: 'pharmacy' }, { type: 'professional' }, { type: 'pharmacy' }, { type: 'oral' }],
      conditions: [{ key: 'diabetes' }, { key: 'asthma' }, { key: 'diabetes' }],
    }) as unknown as MemberStory;

  it("should give the member's sign-in, plans, claims by type and conditions once each", () => {
    const password = `fs-${createHash('sha256').update('password:k-7').digest('hex').slice(0, 10)}`;
    expect(testAccount(story(), 'pat-7')).toStrictEqual({
      index: 7, patientId: 'pat-7', memberId: 'MBR00007', subscriberId: 'SUB9', relationship: 'spouse', name: 'Ann Lee Smith', birthDate: '1970-02-03',
      plans: ['Gold PPO', 'Dental, "Plus"'], username: 'mbr00007', password,
      claims: { professional: 1, outpatient: 0, inpatient: 0, pharmacy: 2, oral: 1 }, conditions: ['diabetes', 'asthma'], deceased: false,
    });
    const dead = testAccount(story({ deceasedDate: '2025-01-01', medicareEntitlement: 'esrd' }), 'p');
    expect(dead.deceased).toBe(true);
    expect(dead.medicareEntitlement).toBe('esrd');
    expect(testAccount({ ...story(), key: 'k-8' } as MemberStory, 'p').password).not.toBe(password);
  });

  it('should write the CSV header and rows in one column order, quoting commas, quotes and line breaks', () => {
    expect(accountsCsvHeader()).toBe('index,patientId,memberId,subscriberId,relationship,name,birthDate,plans,username,password,professional,outpatient,inpatient,pharmacy,oral,conditions,deceased,medicareEntitlement\n');
    const a = testAccount(story({ name: { given: ['Ann'], family: 'O\nBrien' } } as Partial<MemberStory['member']>), 'pat-7');
    expect(accountCsvRow(a)).toBe(`7,pat-7,MBR00007,SUB9,spouse,"Ann O\nBrien",1970-02-03,"Gold PPO; Dental, ""Plus""",mbr00007,${a.password},1,0,0,2,1,diabetes; asthma,false,\n`);
    const b = testAccount(story({ deceasedDate: '2025-01-01', medicareEntitlement: 'disability' }), 'p');
    expect(accountCsvRow(b)).toMatch(/,true,disability\n$/);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { accountCsvRow, accountsCsvHeader, type TestAccount } from '../../src/output/accounts.js';
import { transactionBundle } from '../../src/output/bundle.js';
import { groupText, renderGroup, type RenderedGroup } from '../../src/output/render.js';
import { splitIndexes } from '../../src/output/split.js';
import { OutputWriter, shardSuffix } from '../../src/output/writer.js';

/**
 * src/output/render.ts and writer.ts on hand-made groups (issue 19): the bytes of bundles and NDJSON agree
 * with JSON.stringify, nothing is lost across the writer's 256 KiB buffers, split parts are named in order,
 * counts and listed files are exact. No population is simulated, so Stryker can run this per mutant; the
 * groups are built inside each test (a mutant is switched on after the file loads).
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fhirseed-writer-'));
  dirs.push(d);
  return d;
}

/** Resources of mixed types (Patient, Coverage, Patient, EOB, Coverage …), non-ASCII text in each. */
function resources(n: number, text = 'Zoë 😀 €'): Resource[] {
  const types = ['Patient', 'Coverage', 'Patient', 'ExplanationOfBenefit', 'Coverage'];
  return Array.from({ length: n }, (_, i) => {
    const type = types[i % types.length]!;
    const profile = i % 3 === 0 ? [`http://example.org/${type}`, 'http://example.org/shared'] : [`http://example.org/${type}`];
    return { resourceType: type, id: `r${i}`, meta: { profile }, text: { status: 'generated', div: `${text} ${i}` } } as unknown as Resource;
  });
}

const account = (index: number): TestAccount => ({
  index, patientId: `p${index}`, memberId: `M${index}`, subscriberId: `S${index}`, relationship: 'self', name: `Ann ${index}`,
  birthDate: '1970-01-01', plans: ['Gold'], username: `m${index}`, password: 'pw', deceased: false, conditions: ['diabetes'],
  claims: { professional: 1, outpatient: 0, inpatient: 0, pharmacy: 2, oral: 0 },
});

const lines = (g: RenderedGroup) => g.ndjson.map((r) => [r.type, groupText(g, r)]);
const both = new Set(['bundles', 'ndjson'] as const);

describe('renderGroup', () => {
  it('should write each part as JSON.stringify of its transaction bundle, and NDJSON by type in order of first appearance', () => {
    // One resource without meta.profile: it counts by type, not by profile.
    const rs = [...resources(12), { resourceType: 'Coverage', id: 'bare' } as Resource];
    const g = renderGroup('bundles/member-000007.json', rs, { formats: both, maxBundleEntries: 5 });
    const parts = splitIndexes(rs, 5);
    expect(parts.length).toBe(3);
    expect(parts.flat().sort((a, b) => a - b)).toEqual(rs.map((_, i) => i));
    expect(g.bundles.map((b) => b.file)).toEqual(['bundles/member-000007.json', 'bundles/member-000007-2.json', 'bundles/member-000007-3.json']);
    g.bundles.forEach((b, i) => expect(groupText(g, b)).toBe(`${JSON.stringify(transactionBundle(parts[i]!.map((k) => rs[k]!)))}\n`));
    const ofType = (t: string) => rs.filter((r) => r.resourceType === t).map((r) => `${JSON.stringify(r)}\n`).join('');
    expect(lines(g)).toEqual(['Patient', 'Coverage', 'ExplanationOfBenefit'].map((t) => [t, ofType(t)]));
    // Ranges follow each other with no gap, and the group's buffer is exactly its bytes.
    const ranges = [...g.bundles, ...g.ndjson];
    ranges.forEach((r, i) => expect(r.start).toBe(i ? ranges[i - 1]!.end : 0));
    expect(g.bytes.byteLength).toBe(ranges.at(-1)!.end);
    expect(g.bytes.buffer.byteLength).toBe(g.bytes.byteLength);
    expect(g.byType).toEqual({ Patient: 5, Coverage: 6, ExplanationOfBenefit: 2 });
    expect(g.byProfile).toEqual({ 'http://example.org/Patient': 5, 'http://example.org/Coverage': 5, 'http://example.org/ExplanationOfBenefit': 2, 'http://example.org/shared': 4 });
    expect(g.account).toBeUndefined();
  });

  it('should write NDJSON alone, bundles alone, and pretty bundles, each the same text', () => {
    const rs = resources(7);
    const ndjsonOnly = renderGroup('bundles/directory.json', rs, { formats: new Set(['ndjson']), maxBundleEntries: 3 });
    const all = renderGroup('bundles/directory.json', rs, { formats: both, maxBundleEntries: 3 });
    expect(ndjsonOnly.bundles).toEqual([]);
    expect(lines(ndjsonOnly)).toEqual(lines(all));
    const bundlesOnly = renderGroup('bundles/directory.json', rs, { formats: new Set(['bundles']), maxBundleEntries: 100 });
    expect(bundlesOnly.ndjson).toEqual([]);
    expect(groupText(bundlesOnly, bundlesOnly.bundles[0]!)).toBe(`${JSON.stringify(transactionBundle(rs))}\n`);
    const pretty = renderGroup('bundles/directory.json', rs, { formats: both, maxBundleEntries: 100, pretty: true });
    expect(groupText(pretty, pretty.bundles[0]!)).toBe(`${JSON.stringify(transactionBundle(rs), null, 2)}\n`);
    expect(lines(pretty)).toEqual(lines(all));
    const none = renderGroup('bundles/directory.json', [], { formats: both, maxBundleEntries: 3 });
    expect(none.ndjson).toEqual([]);
    expect(none.bundles.map((b) => groupText(none, b))).toEqual(none.bundles.map(() => `${JSON.stringify(transactionBundle([]))}\n`));
  });

  it('should grow its buffer past 2 MiB without losing a byte, and start empty for the next group', () => {
    // One resource of 1.5 M three-byte characters (4.5 MB) and one of 1 M four-byte ones: more than the 2 MiB start.
    const big = [...resources(2, '€'.repeat(1_500_000)), ...resources(1, '😀'.repeat(1_000_000))];
    const g = renderGroup('bundles/member-000001.json', big, { formats: both, maxBundleEntries: 100 });
    expect(groupText(g, g.bundles[0]!)).toBe(`${JSON.stringify(transactionBundle(big))}\n`);
    expect(lines(g).map(([, l]) => l).join('')).toBe(`${JSON.stringify(big[0])}\n${JSON.stringify(big[2])}\n${JSON.stringify(big[1])}\n`);
    const small = resources(2);
    const next = renderGroup('bundles/member-000002.json', small, { formats: both, maxBundleEntries: 100 });
    expect(next.bundles[0]!.start).toBe(0);
    expect(groupText(next, next.bundles[0]!)).toBe(`${JSON.stringify(transactionBundle(small))}\n`);
  });

  it('should carry the account as its CSV row and compact JSON', () => {
    const a = account(3);
    const g = renderGroup('bundles/member-000003.json', resources(1), { formats: both, maxBundleEntries: 10 }, a);
    expect(g.account).toEqual({ csv: accountCsvRow(a), json: JSON.stringify(a) });
  });
});

describe('OutputWriter', () => {
  it('should write bundles, NDJSON and accounts byte for byte, count them, and list the files', () => {
    const dir = tempDir();
    const w = new OutputWriter(dir, both, undefined);
    w.open();
    const dirGroup = renderGroup('bundles/directory.json', resources(3), { formats: both, maxBundleEntries: 2 });
    w.writeDirectory(dirGroup);
    const members = [1, 2, 3].map((i) => renderGroup(`bundles/member-00000${i}.json`, resources(i * 2), { formats: both, maxBundleEntries: 3 }, account(i)));
    members.forEach((m) => w.writeMember(m));
    w.close();
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    for (const g of [dirGroup, ...members]) for (const b of g.bundles) expect(read(b.file)).toBe(groupText(g, b));
    for (const type of ['Patient', 'Coverage', 'ExplanationOfBenefit']) {
      const expected = [dirGroup, ...members].map((g) => g.ndjson.filter((r) => r.type === type).map((r) => groupText(g, r)).join('')).join('');
      expect(read(`ndjson/${type}.ndjson`)).toBe(expected);
    }
    expect(read('test-accounts.csv')).toBe(accountsCsvHeader() + [1, 2, 3].map((i) => accountCsvRow(account(i))).join(''));
    expect(read('test-accounts.json')).toBe(`[\n${[1, 2, 3].map((i) => `  ${JSON.stringify(account(i))}`).join(',\n')}\n]\n`);
    expect(JSON.parse(read('test-accounts.json'))).toEqual([1, 2, 3].map(account));
    expect(w.counts).toEqual({
      byType: { Patient: 2 + 6, Coverage: 1 + 4, ExplanationOfBenefit: 2 },
      byProfile: { 'http://example.org/Patient': 8, 'http://example.org/Coverage': 5, 'http://example.org/ExplanationOfBenefit': 2, 'http://example.org/shared': 1 + 1 + 2 + 2 },
      members: 3,
      bundles: 2 + 1 + 2 + 2,
    });
    // Member bundles are not listed, but their further parts are; the directory's parts, NDJSON and accounts are.
    expect([...w.files].sort()).toEqual([
      'bundles/directory-2.json', 'bundles/directory.json', 'bundles/member-000002-2.json', 'bundles/member-000003-2.json',
      'ndjson/Coverage.ndjson', 'ndjson/ExplanationOfBenefit.ndjson', 'ndjson/Patient.ndjson', 'test-accounts.csv', 'test-accounts.json',
    ]);
    expect(readdirSync(join(dir, 'bundles')).length).toBe(7);
  });

  it('should lose nothing across its 256 KiB buffer: many small writes, one larger than the buffer, one that fills it exactly', () => {
    const dir = tempDir();
    const w = new OutputWriter(dir, new Set(['ndjson']), { index: 2, count: 3 });
    w.open();
    const expected: string[] = [];
    const sizes = [100, 70_000, 70_000, 70_000, 50_000, 300_000, 10, 262_144 - 10 - 40, 1, 262_144, 5];
    sizes.forEach((size, i) => {
      const g = renderGroup('bundles/x.json', [{ resourceType: 'Basic', id: `b${i}`, text: { div: 'x'.repeat(size) } } as unknown as Resource], { formats: new Set(['ndjson']), maxBundleEntries: 9 });
      expected.push(groupText(g, g.ndjson[0]!));
      w.writeDirectory(g);
    });
    w.close();
    expect(readFileSync(join(dir, 'ndjson/Basic.shard-2-of-3.ndjson'), 'utf8')).toBe(expected.join(''));
    expect(readFileSync(join(dir, 'test-accounts.shard-2-of-3.json'), 'utf8')).toBe('[\n\n]\n');
    expect(readdirSync(dir).sort()).toEqual(['ndjson', 'test-accounts.shard-2-of-3.csv', 'test-accounts.shard-2-of-3.json']);
    expect(w.counts.bundles).toBe(0);
  });

  it('should write a first NDJSON group larger than its buffer to a new file, and list a member\'s tenth and later parts', () => {
    const dir = tempDir();
    const w = new OutputWriter(dir, both, undefined);
    w.open();
    const huge = renderGroup('bundles/directory.json', [{ resourceType: 'Basic', id: 'b', text: { div: 'x'.repeat(300_000) } } as unknown as Resource], { formats: both, maxBundleEntries: 9 });
    w.writeDirectory(huge);
    const many = renderGroup('bundles/member-000001.json', resources(11), { formats: both, maxBundleEntries: 1 }, account(1));
    w.writeMember(many);
    w.close();
    expect(readFileSync(join(dir, 'ndjson/Basic.ndjson'), 'utf8')).toBe(groupText(huge, huge.ndjson[0]!));
    expect([...w.files].filter((f) => f.startsWith('bundles/member-')).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `bundles/member-000001-${i + 2}.json`).sort(),
    );
  });

  it('should close without throwing after an open that failed, so that the open\'s error is the one told', () => {
    const dir = tempDir();
    const w = new OutputWriter(join(dir, 'test-accounts.csv', 'x'), both, undefined);
    new OutputWriter(dir, both, undefined).open(); // makes dir/test-accounts.csv a file: the next open cannot make a directory in it
    expect(() => w.open()).toThrow(/ENOTDIR/);
    expect(() => w.close()).not.toThrow();
  });

  it('should name shard files only for more than one shard', () => {
    expect(shardSuffix(undefined)).toBe('');
    expect(shardSuffix({ index: 1, count: 1 })).toBe('');
    expect(shardSuffix({ index: 1, count: 2 })).toBe('.shard-1-of-2');
  });

  it('streaming: should hold at most 8 bundle writes at once, write them all, and reject with a failed one', async () => {
    const dir = tempDir();
    const w = new OutputWriter(dir, new Set(['bundles']), undefined, true);
    w.open();
    const pending = (w as unknown as { pending: Set<unknown> }).pending;
    const groups = Array.from({ length: 20 }, (_, i) => renderGroup(`bundles/member-${String(i).padStart(6, '0')}.json`, resources(2), { formats: new Set(['bundles']), maxBundleEntries: 9 }));
    for (const g of groups) {
      await w.drained();
      expect(pending.size).toBeLessThan(8);
      w.writeMember(g);
    }
    w.close();
    await w.finished();
    expect(pending.size).toBe(0);
    for (const g of groups) expect(readFileSync(join(dir, g.bundles[0]!.file), 'utf8')).toBe(groupText(g, g.bundles[0]!));
    expect(existsNdjson(dir)).toBe(false);

    const bad = new OutputWriter(tempDir(), new Set(['bundles']), undefined, true);
    bad.open();
    bad.writeMember(renderGroup('missing/member-000001.json', resources(1), { formats: new Set(['bundles']), maxBundleEntries: 9 }));
    await expect(bad.finished()).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(bad.drained()).rejects.toMatchObject({ code: 'ENOENT' });
    bad.close();
  });
});

function existsNdjson(dir: string): boolean {
  return readdirSync(dir).includes('ndjson');
}

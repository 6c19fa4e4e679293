// The SQLite store's first build through worker threads (bulk-load.ts, bulk-text.ts): the same store, counts and
// errors as the line-by-line loader, whatever the lines (bad, repeated, blank, CRLF, longer than a chunk), and each
// stored text exactly medplum's stringify of the version (a property over random resources and spellings). The
// workers load their TypeScript through the test hooks (src/output/ts-worker-hooks.mjs): seconds at a first run.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stringify } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dataFiles, loadDirectory, type LoadResult } from '../../src/serve/load.js';
import { createEngine } from '../../src/serve/router.js';
import { createBulkLoader } from '../../src/serve/store/bulk-load.js';
import { bulkRow, canonical, KEY_PARTS } from '../../src/serve/store/bulk-text.js';
import { createRepository } from '../../src/serve/store/engine.js';
import { indexKeys } from '../../src/serve/store/keys.js';
import { openStore } from '../../src/serve/store/open.js';
import { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';
import { tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-store-bulk-');
afterAll(() => temp.cleanup());

const patient = (id: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', id, gender: 'female', ...extra });
const observation = (id: string, patientId: string) => ({
  resourceType: 'Observation',
  id,
  meta: { versionId: 'old', profile: ['http://example.org/p'], lastUpdated: '2024-01-02T03:04:05.000Z' },
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { text: 'Glucose, serum: fasting' },
  subject: { reference: `Patient/${patientId}` },
  valueQuantity: { value: 1.5, unit: 'mg/dL' },
});

/** NDJSON with every kind of line the loader meets; Observation.ndjson's lines are longer than the 512-byte chunks. */
function writeData(dir: string): void {
  mkdirSync(join(dir, 'ndjson'), { recursive: true });
  const patients = [
    JSON.stringify(patient('p1')),
    '',
    'not json',
    JSON.stringify({ id: 'no-type' }),
    JSON.stringify({ resourceType: 'NoSuchType', id: 'x' }),
    JSON.stringify(patient('p2', { name: [{ text: 'Ann, B' }], meta: {} })),
    `  ${JSON.stringify(patient('p3', { birthDate: '1970-01-01' }), null, 1).replace(/\n/g, '')}  `,
    JSON.stringify({ resourceType: 'Patient', gender: 'male' }),
    JSON.stringify(patient('p1')),
    JSON.stringify(patient('p2', { gender: 'male' })),
    JSON.stringify(patient('p4', { multipleBirthInteger: 2, extension: [{ url: 'http://x', valueDecimal: 1.0 }], active: null })),
    '[1, 2]',
  ];
  writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), `${patients.join('\r\n')}\r\n`);
  // One line not ASCII (the workers decode an ASCII chunk's lines as Latin-1, any other as UTF-8).
  const observations = Array.from({ length: 40 }, (_, i) => JSON.stringify({ ...observation(`o${i}`, `p${(i % 4) + 1}`), ...(i === 5 ? { code: { text: 'Glucose, sérum – à jeun' } } : {}) }));
  writeFileSync(join(dir, 'ndjson', 'Observation.ndjson'), `${observations.join('\n')}\n${'x'.repeat(2000)}`);
}

interface Built {
  result: LoadResult;
  rows: [number, string, string, string][];
  keys: [string, number][];
  /** The date rows (seq, parameter, low, high), but for `_lastUpdated`'s of a load-time lastUpdated. */
  dates: [number, string, string, string][];
  /** Resources appended as the workers made them (appendText calls that stored one). */
  appended: number;
  /** Of those, the ones whose date rows the workers made (appendText given them: none parsed on the main thread). */
  dated: number;
}

/**
 * Builds a store from `dir` (bulk: through the worker threads; for bundles too, however few: `options` of
 * createBulkLoader) and reads back its rows (versionId blanked) and keys.
 */
async function build(dir: string, bulk: boolean, options: { minJsonFiles?: number } = { minJsonFiles: 0 }): Promise<Built> {
  // The engine first, as createRepository does: the store's date plan reads the search parameters it indexes.
  const { router } = createEngine();
  const store = openStore(dir, dataFiles(dir), { file: join(temp.dir, `${bulk ? 'bulk' : 'lines'}-${Math.random()}.sqlite`) });
  const loader = bulk ? createBulkLoader(store.repo, { workers: 2, chunkBytes: 512, ...options }) : undefined;
  let appended = 0;
  let dated = 0;
  const append = store.repo.appendText.bind(store.repo);
  store.repo.appendText = (...args) => {
    const seq = append(...args);
    if (seq) appended++;
    if (seq && args[3] !== undefined) dated++;
    return seq;
  };
  try {
    const result = await loadDirectory(dir, router, store.repo, undefined, loader?.loadNdjson, loader?.loadJson);
    await loader?.finish();
    store.markLoaded();
    const db = store.repo.db;
    const rows = (db.prepare('SELECT seq, type, id, json FROM resources ORDER BY seq').raw().all() as [number, string, string, string][]).map(([seq, type, id, json]) => {
      const resource = JSON.parse(json) as Resource;
      expect(resource.meta?.versionId).toMatch(/^[0-9a-f-]{36}$/);
      // Lines without a lastUpdated get the time of their load.
      expect(resource.meta?.lastUpdated).toMatch(/^\d{4}-\d\d-\d\dT/);
      // A line without an id gets a new one.
      const shown = resource.id === id && /^[0-9a-f]{8}-/.test(id) ? 'new' : id;
      return [seq, type, shown, json.replace(/"versionId":"[^"]+"/, '"versionId":"V"').replace(/"lastUpdated":"(?!2024)[^"]+"/, '"lastUpdated":"L"').replace(`"id":"${id}"`, `"id":"${shown}"`)] as [number, string, string, string];
    });
    // Not the versionIds' term keys (new UUIDs in each build).
    const keys = (db.prepare('SELECT k, seq FROM idx ORDER BY k, seq').raw().all() as [string, number][]).filter(([k]) => !/\|t\|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/.test(k));
    const loadedAt = new Map(rows.map(([seq, , , json]) => [seq, json.includes('"lastUpdated":"L"')]));
    const dates = (db.prepare('SELECT seq, p, low, high FROM dates ORDER BY seq, p, low, high').raw().all() as [number, string, string, string][]).filter(
      ([seq, p]) => !(p === '_lastUpdated' && loadedAt.get(seq)),
    );
    return { result, rows, keys, dates, appended, dated };
  } finally {
    await loader?.close();
    store.close();
  }
}

describe('the first build through worker threads', () => {
  const dir = join(temp.dir, 'out');
  let lines: Built;
  let bulk: Built;
  beforeAll(async () => {
    writeData(dir);
    lines = await build(dir, false);
    bulk = await build(dir, true);
  });

  it('should store the same rows in the same order, with the same keys, counts and errors as the line-by-line loader', () => {
    expect(bulk.result).toEqual(lines.result);
    // The same order; `seq` itself may differ by the gaps that an id met again leaves (the append it tried).
    const rank = (built: Built) => new Map(built.rows.map(([seq], i) => [seq, i]));
    const ranked = (built: Built) => ({
      rows: built.rows.map(([, ...row]) => row),
      keys: built.keys.map(([k, seq]) => [k, rank(built).get(seq)]),
      dates: built.dates.map(([seq, ...row]) => [rank(built).get(seq), ...row]),
    });
    expect(ranked(bulk)).toEqual(ranked(lines));
    expect(bulk.dates.length).toBeGreaterThan(0);
    // The workers made every appended row's date rows: the main thread parsed none of the texts for them.
    expect(bulk.dated).toBe(bulk.appended);
    expect(bulk.rows.map(([, , , json]) => json)).toEqual(expect.arrayContaining([expect.stringContaining('sérum – à jeun')]));
    expect(bulk.rows.map(([, type, id]) => `${type}/${id}`)).toContain('Patient/new');
  });

  it('should record each bad line once, by its line number, and keep the last content of a repeated id', () => {
    expect(bulk.result.loaded).toBe(47);
    expect(bulk.result.errors).toEqual([
      "ndjson/Observation.ndjson:41:1: not JSON (Unexpected token 'x')",
      "ndjson/Patient.ndjson:3:2: not JSON (Unexpected token 'o')",
      'ndjson/Patient.ndjson:4: not a FHIR resource (no resourceType)',
      expect.stringMatching(/^ndjson\/Patient\.ndjson:5: 400 .*NoSuchType/),
      'ndjson/Patient.ndjson:12: not a FHIR resource (no resourceType)',
    ]);
    const p2 = JSON.parse(bulk.rows.find(([, type, id]) => type === 'Patient' && id === 'p2')![3]) as { gender?: string; name?: unknown };
    expect([p2.gender, p2.name]).toEqual(['male', undefined]);
  });
});

const put = (resource: Record<string, unknown>) => ({ resource, request: { method: 'PUT', url: `${String(resource.resourceType)}/${String(resource.id)}` } });
const transaction = (...entry: unknown[]) => JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry });

/** fhirseed's kind of output (bundles/ beside ndjson/, which is then not loaded) with every kind of JSON file the loader meets. */
function writeBundles(dir: string): void {
  mkdirSync(join(dir, 'bundles'), { recursive: true });
  mkdirSync(join(dir, 'ndjson'), { recursive: true });
  const file = (name: string, text: string) => writeFileSync(join(dir, 'bundles', name), text);
  file('directory.json', transaction(put({ resourceType: 'Organization', id: 'org1', name: 'Payer, Inc.' }), put({ resourceType: 'Practitioner', id: 'pr1', active: true })));
  file('member-000000.json', transaction(put(patient('p1')), put(observation('o1', 'p1')), put(observation('o2', 'p1'))));
  // An id met before (the ordinary path: a second version), an empty value (dropped), an empty id (a new id).
  file('member-000001.json', transaction(put(patient('p1', { gender: 'male' })), put(patient('p2', { name: [{ text: '' }], meta: { versionId: 'x' } })), put({ resourceType: 'Patient', id: '', gender: 'other' })));
  // An entry of an unknown type: nothing of the file is stored.
  file('member-000002.json', transaction(put(patient('p3')), put({ resourceType: 'NoSuchType', id: 'n1' })));
  // Not plain PUTs: the router's transaction and batch processing.
  file('member-000003.json', JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [put(patient('p4'))] }));
  // A urn:uuid: reference must name an entry's fullUrl (a dangling one refuses the transaction: R4 http.html#trules).
  const placeholder = 'urn:uuid:11111111-1111-4111-8111-111111111111';
  file('member-000004.json', transaction({ ...put(patient('p7')), fullUrl: placeholder }, put({ ...observation('o3', 'p1'), subject: { reference: placeholder } })));
  file('member-000005.json', `  ${JSON.stringify(JSON.parse(transaction(put(patient('p5')), put(observation('o4', 'p5')))), null, 2)}\n`);
  file('not-json.json', '{"resourceType":');
  file('single.json', JSON.stringify(patient('p6')));
  file('member-000006-2.json', transaction(...Array.from({ length: 30 }, (_, i) => put(observation(`m${i}`, 'p5')))));
  writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify(patient('from-ndjson'))}\n`);
}

describe('bundles through the worker threads', () => {
  const dir = join(temp.dir, 'bundles-out');
  let plain: Built;
  let bulk: Built;
  beforeAll(async () => {
    writeBundles(dir);
    plain = await build(dir, false);
    bulk = await build(dir, true);
  });

  it('should store the same rows in the same order, with the same keys, counts and errors as loadDirectory alone', () => {
    expect(bulk.result).toEqual(plain.result);
    const rank = (built: Built) => new Map(built.rows.map(([seq], i) => [seq, i]));
    const ranked = (built: Built) => ({ rows: built.rows.map(([, ...row]) => row), keys: built.keys.map(([k, seq]) => [k, rank(built).get(seq)]) });
    expect(ranked(bulk)).toEqual(ranked(plain));
  });

  it('should make the resources of plain transactions in the workers, and leave the rest to the ordinary paths', () => {
    // directory 2, member-000000 3, member-000001 1 (p2; p1 again and the empty id take the ordinary path),
    // member-000005 2 and member-000006-2 30; member-000002's p3 was appended, then rolled back with its file;
    // member-000004's p7 and o3 (a urn:uuid: placeholder) take the ordinary path.
    expect(plain.appended).toBe(0);
    expect(bulk.appended).toBe(39);
    expect(bulk.result.loaded).toBe(2 + 3 + 3 + 1 + 2 + 2 + 1 + 30);
    expect(bulk.result.errors).toEqual([expect.stringMatching(/^bundles\/member-000002\.json: transaction not loaded: 400 .*NoSuchType/), 'bundles/not-json.json:1:17: not JSON (Unexpected end)']);
    const ids = bulk.rows.map(([, type, id]) => `${type}/${id}`);
    expect(ids).toEqual(expect.arrayContaining(['Patient/p4', 'Patient/p7', 'Observation/o3', 'Patient/p6', 'Patient/new']));
    expect(ids).not.toContain('Patient/p3');
    expect(ids).not.toContain('Patient/from-ndjson');
    const p1 = JSON.parse(bulk.rows.find(([, type, id]) => type === 'Patient' && id === 'p1')![3]) as { gender?: string };
    expect(p1.gender).toBe('male');
  });
});

describe('a file loadDirectory takes that holds more resources than its task was numbered for', () => {
  // Each task's rows are numbered ahead from its "request" keys: a batch whose keys are escaped holds 3 entries where
  // 1 was counted, so the next bundle's numbers are taken; its rows then take the ordinary path, in order, and the
  // keys staged under its numbers are left out (bulk-load.ts).
  const dir = join(temp.dir, 'overflow-out');
  let plain: Built;
  let bulk: Built;
  beforeAll(async () => {
    mkdirSync(join(dir, 'bundles'), { recursive: true });
    const file = (name: string, text: string) => writeFileSync(join(dir, 'bundles', name), text);
    file('member-000000.json', transaction(put(patient('p1')), put(patient('p2'))));
    const batch = JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: ['b1', 'b2', 'b3'].map((id) => put(patient(id))) });
    file('member-000001.json', batch.replaceAll('"request"', '"r\\u0065quest"'));
    file('member-000002.json', transaction(put(observation('o1', 'b1')), put(observation('o2', 'b2'))));
    file('member-000003.json', transaction(put(observation('o3', 'p1'))));
    plain = await build(dir, false);
    bulk = await build(dir, true);
  });

  it('should store the same rows in the same order, with the same keys, as loadDirectory alone', () => {
    expect(bulk.result).toEqual(plain.result);
    expect(bulk.result.errors).toEqual([]);
    const rank = (built: Built) => new Map(built.rows.map(([seq], i) => [seq, i]));
    const ranked = (built: Built) => ({ rows: built.rows.map(([, ...row]) => row), keys: built.keys.map(([k, seq]) => [k, rank(built).get(seq)]) });
    expect(ranked(bulk)).toEqual(ranked(plain));
    expect(bulk.rows.map(([, type, id]) => `${type}/${id}`)).toEqual(['Patient/p1', 'Patient/p2', 'Patient/b1', 'Patient/b2', 'Patient/b3', 'Observation/o1', 'Observation/o2', 'Observation/o3']);
    // p1, p2 and o3 as the workers made them; o1 and o2 on the ordinary path.
    expect(bulk.appended).toBe(3);
  });
});

describe('a few bundles', () => {
  it('should load them on the main thread, without starting the worker threads', async () => {
    const dir = join(temp.dir, 'few-bundles');
    mkdirSync(join(dir, 'bundles'), { recursive: true });
    writeFileSync(join(dir, 'bundles', 'directory.json'), transaction(put({ resourceType: 'Organization', id: 'org1' })));
    for (let m = 0; m < 7; m++) writeFileSync(join(dir, 'bundles', `member-00000${m}.json`), transaction(put(patient(`p${m}`)), put(observation(`o${m}`, `p${m}`))));
    const [plain, bulk] = [await build(dir, false), await build(dir, true, {})];
    expect(bulk.result).toEqual({ loaded: 15, errors: [] });
    expect(bulk.rows.map(([, type, id]) => `${type}/${id}`)).toEqual(plain.rows.map(([, type, id]) => `${type}/${id}`));
    // Eight files: the first has seven after it, fewer than it takes by default to start the threads for.
    expect(bulk.appended).toBe(0);
    expect((await build(dir, true, { minJsonFiles: 7 })).appended).toBe(15);
  });
});

describe('the first build\'s scratch files', () => {
  it('should stage keys beside FILE.building, and leave only FILE once built, removing what a killed build left', async () => {
    const dir = join(temp.dir, 'scratch-out');
    writeData(dir);
    const folder = join(temp.dir, 'scratch-store');
    mkdirSync(folder);
    const file = join(folder, 'store.sqlite');
    // What a build killed before its end leaves (FILE.building, the workers' key files), and a file of someone else's.
    for (const left of [`${file}.building`, `${file}.building-keys-0-0`, `${file}.building-keys-7-3`]) writeFileSync(left, 'left by a killed build');
    writeFileSync(join(folder, 'notes.txt'), 'kept');
    const staged: string[] = [];
    const attach = vi.spyOn(SqliteRepository.prototype, 'bulkReplaced').mockImplementation(function (this: SqliteRepository) {
      // Called as the workers' files are merged: they are there, beside FILE.building.
      staged.push(...readdirSync(folder).filter((f) => f.includes('-keys-')));
      return [];
    });
    const repository = await createRepository({ dir, storeFile: file });
    try {
      expect(repository.loaded.loaded).toBe(47);
      // One per worker (one per core, up to 4) and key range; the one a killed build left with a higher number is gone.
      const workers = Array.from({ length: Math.min(4, availableParallelism()) }, (_, n) => n);
      expect(staged.sort()).toEqual(workers.flatMap((n) => KEY_PARTS.map((_, p) => `store.sqlite.building-keys-${n}-${p}`)).sort());
      // Each range's files are gone once merged, before the store serves (not left to unlink beside its first requests).
      expect(readdirSync(folder).filter((f) => !/^store\.sqlite(-wal|-shm|\.lock)?$/.test(f))).toEqual(['notes.txt']);
    } finally {
      attach.mockRestore();
      repository.close();
    }
  });
});

describe('a line made ready off the main thread', () => {
  const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>;
  const resource = fc.record(
    {
      resourceType: fc.constantFrom('Patient', 'Observation'),
      id: fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/),
      meta: fc.record({ versionId: fc.stringMatching(/^[a-z0-9]{1,8}$/), lastUpdated: fc.constantFrom('', '2024-05-06T07:08:09Z'), profile: fc.array(fc.constantFrom('http://a', 'http://b'), { minLength: 1 }) }, { requiredKeys: [] }),
      subject: fc.record({ reference: fc.constantFrom('Patient/1', 'Patient/2/_history/3', '') }),
      extra: json,
      note: fc.array(fc.record({ text: fc.oneof(fc.string({ minLength: 1 }), fc.stringMatching(/^[A-Za-z0-9.]{1,12}$/)) }), { minLength: 1 }),
      value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
    },
    { requiredKeys: ['resourceType', 'id'] },
  );
  /** Ways NDJSON may spell the same resource: compact, spaced, with numbers written otherwise. */
  const spelling = fc.constantFrom(
    (r: object) => JSON.stringify(r),
    (r: object) => JSON.stringify(r, null, 1).replace(/\n/g, ''),
    (r: object) => JSON.stringify(r).replace(/:(\d+)([,}])/g, ':$1.0$2'),
    (r: object) => JSON.stringify(r).replace('"id":', '"\\u0069d":'),
  );

  it('should be stringify(version) and indexKeys(version) exactly, whether the line is compact or not', () => {
    let compact = 0;
    fc.assert(
      fc.property(resource, spelling, (r, spell) => {
        const line = spell(r);
        if (canonical(line)) compact++;
        const row = bulkRow(line, '00000000-0000-4000-8000-000000000000', '2030-01-01T00:00:00.000Z')!;
        const { versionId: _v, ...meta } = (r.meta ?? {}) as Record<string, unknown>;
        const version = { ...(JSON.parse(line) as object), meta: { ...meta, versionId: '00000000-0000-4000-8000-000000000000', lastUpdated: (meta.lastUpdated as string) || '2030-01-01T00:00:00.000Z' } } as Resource;
        expect(row.text).toBe(stringify(version));
        expect(JSON.parse(row.keys)).toEqual(indexKeys(version));
      }),
      { numRuns: 300 },
    );
    // Both ways of making the text were taken (the line edited, and stringify). Only about one run in 15 is compact
    // (a quarter are spelt so, and most random values hold `""`, `null`, `[]` or `, `): more than 20 of 300 was flaky.
    expect(compact).toBeGreaterThan(0);
    expect(compact).toBeLessThan(280);
  });

  it('should take a line as compact only when JSON.stringify writes it so', () => {
    fc.assert(
      fc.property(resource, spelling, (r, spell) => {
        const line = spell(r);
        if (canonical(line)) expect(JSON.stringify(JSON.parse(line))).toBe(line);
      }),
      { numRuns: 300 },
    );
    expect(canonical('{"resourceType":"Patient","id":"1","name":[{"text":"A, B"}]}')).toBe(true);
    expect(canonical('{"resourceType":"Patient","id":"1","name":[{"text":"A, B"}], "x":1}')).toBe(false);
    expect(canonical('{"resourceType":"Patient","id":"1","x":1.5}')).toBe(true);
    for (const number of ['1.50', '1e3', '-0', '12345678901234567890']) expect(canonical(`{"a":${number}}`)).toBe(false);
  });

  it('should take a compact line as compact whatever its strings hold, and a line with white space between tokens as not', () => {
    // Strings of spaces and JSON's own punctuation (`"A, B"`, `"x: {y"`), escaped quotes and backslashes, non-ASCII.
    // Left out: what the check rightly or harmlessly refuses wherever it is (`null`, `[]`, `{}`, `""`, a `\u` escape,
    // numbers after `,`): a line holding them takes the slower path, the same text either way.
    const text = fc.stringMatching(/^[A-Za-z ,:{["\\.é-]{1,16}$/).filter((t) => !t.includes('null') && !t.endsWith('"') && !/\\u/.test(t));
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.array(tie('node'), { minLength: 1, maxLength: 3 }), fc.dictionary(fc.stringMatching(/^[a-z][A-Za-z ,:]{0,6}$/), tie('node'), { minKeys: 1, maxKeys: 3 })),
    })).node;
    const resource = fc.record({ resourceType: fc.constant('Observation'), id: fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), note: fc.array(fc.record({ text }), { minLength: 1 }), extra: value });
    fc.assert(
      fc.property(resource, fc.nat(), (r, at) => {
        const line = JSON.stringify(r);
        expect(canonical(line), line).toBe(true);
        // The same text with a space put between two tokens (after a `,` or `:` that is not inside a string).
        const outside = [...line.matchAll(/"(?:[^"\\]|\\.)*"|[,:]/g)].filter((m) => m[0] === ',' || m[0] === ':');
        const cut = outside[at % outside.length]!.index + 1;
        const spaced = `${line.slice(0, cut)} ${line.slice(cut)}`;
        expect(JSON.parse(spaced)).toEqual(r);
        expect(canonical(spaced), spaced).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('should take a line too long for the check (millions of escapes) as not compact, without failing', () => {
    // An 18 MB line; COMPACT's backtrack stack overflows between 1 and 5 million tokens (RangeError without the catch).
    expect(canonical(JSON.stringify({ resourceType: 'Binary', id: 'x', data: 'a\n'.repeat(5_000_000) }))).toBe(false);
  });

  it('should leave to the ordinary path what is not a resource with an id, or whose meta is not an object', () => {
    for (const line of ['x', '[1]', '{"id":"1"}', '{"resourceType":"Patient"}', '{"resourceType":"Patient","id":""}', '{"resourceType":"Patient","id":1}', '{"resourceType":"Patient","id":"1","meta":[]}']) {
      expect(bulkRow(line, 'v', 'now'), line).toBeUndefined();
    }
  });
});

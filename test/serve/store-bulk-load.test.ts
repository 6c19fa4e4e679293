// The SQLite store's first build through worker threads (bulk-load.ts, bulk-text.ts): the same store, counts and
// errors as the line-by-line loader, whatever the lines (bad, repeated, blank, CRLF, longer than a chunk), and each
// stored text exactly medplum's stringify of the version (a property over random resources and spellings). The
// workers load their TypeScript through the test hooks (src/output/ts-worker-hooks.mjs): seconds at a first run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFiles, loadDirectory, type LoadResult } from '../../src/serve/load.js';
import { createEngine } from '../../src/serve/router.js';
import { createBulkLoader } from '../../src/serve/store/bulk-load.js';
import { bulkRow, canonical } from '../../src/serve/store/bulk-text.js';
import { indexKeys } from '../../src/serve/store/keys.js';
import { openStore } from '../../src/serve/store/open.js';
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
  const observations = Array.from({ length: 40 }, (_, i) => JSON.stringify(observation(`o${i}`, `p${(i % 4) + 1}`)));
  writeFileSync(join(dir, 'ndjson', 'Observation.ndjson'), `${observations.join('\n')}\n${'x'.repeat(2000)}`);
}

interface Built {
  result: LoadResult;
  rows: [number, string, string, string][];
  keys: [string, number][];
}

/** Builds a store from `dir` (bulk: through the worker threads) and reads back its rows (versionId blanked) and keys. */
async function build(dir: string, bulk: boolean): Promise<Built> {
  const store = openStore(dir, dataFiles(dir), { file: join(temp.dir, `${bulk ? 'bulk' : 'lines'}-${Math.random()}.sqlite`) });
  const { router } = createEngine();
  const loader = bulk ? createBulkLoader(store.repo, { workers: 2, chunkBytes: 512 }) : undefined;
  try {
    const result = await loadDirectory(dir, router, store.repo, undefined, loader?.loadNdjson);
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
    return { result, rows, keys };
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
    const ranked = (built: Built) => ({ rows: built.rows.map(([, ...row]) => row), keys: built.keys.map(([k, seq]) => [k, rank(built).get(seq)]) });
    expect(ranked(bulk)).toEqual(ranked(lines));
    expect(bulk.rows.map(([, type, id]) => `${type}/${id}`)).toContain('Patient/new');
  });

  it('should record each bad line once, by its line number, and keep the last content of a repeated id', () => {
    expect(bulk.result.loaded).toBe(47);
    expect(bulk.result.errors).toEqual([
      expect.stringMatching(/^ndjson\/Observation\.ndjson:41: not JSON /),
      expect.stringMatching(/^ndjson\/Patient\.ndjson:3: not JSON /),
      'ndjson/Patient.ndjson:4: not a FHIR resource (no resourceType)',
      expect.stringMatching(/^ndjson\/Patient\.ndjson:5: 400 .*NoSuchType/),
      'ndjson/Patient.ndjson:12: not a FHIR resource (no resourceType)',
    ]);
    const p2 = JSON.parse(bulk.rows.find(([, type, id]) => type === 'Patient' && id === 'p2')![3]) as { gender?: string; name?: unknown };
    expect([p2.gender, p2.name]).toEqual(['male', undefined]);
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
    // Both ways of making the text were taken (the line edited, and stringify).
    expect(compact).toBeGreaterThan(20);
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
    expect(canonical('{"resourceType":"Patient","id":"1","name":[{"text":"A, B"}]}')).toBe(false);
    expect(canonical('{"resourceType":"Patient","id":"1","x":1.5}')).toBe(true);
    for (const number of ['1.50', '1e3', '-0', '12345678901234567890']) expect(canonical(`{"a":${number}}`)).toBe(false);
  });

  it('should leave to the ordinary path what is not a resource with an id, or whose meta is not an object', () => {
    for (const line of ['x', '[1]', '{"id":"1"}', '{"resourceType":"Patient"}', '{"resourceType":"Patient","id":""}', '{"resourceType":"Patient","id":1}', '{"resourceType":"Patient","id":"1","meta":[]}']) {
      expect(bulkRow(line, 'v', 'now'), line).toBeUndefined();
    }
  });
});

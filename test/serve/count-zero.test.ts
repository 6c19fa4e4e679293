// `_count=0` asks for the total only (FHIR R4 search §3.1.1.5.4): no entries and no `next` or `previous` link, on the
// memory store and the SQLite store (its read workers and this thread), for a type search and a compartment search.
// A `next` equal to `self` (s15 trial B5) kept a client that follows `next` looping for ever. Real servers, fetch.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { tempDir } from '../helpers/output.js';
import { fhir } from './helpers.js';

const temp = tempDir('fhirseed-count-zero-');
afterAll(() => temp.cleanup());
mkdirSync(join(temp.dir, 'ndjson'));
writeFileSync(join(temp.dir, 'ndjson', 'Patient.ndjson'), ['a', 'b', 'c'].map((id) => JSON.stringify({ resourceType: 'Patient', id })).join('\n') + '\n');
writeFileSync(
  join(temp.dir, 'ndjson', 'Observation.ndjson'),
  [1, 2, 3, 4].map((n) => JSON.stringify({ resourceType: 'Observation', id: `o${n}`, status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/a' } })).join('\n') + '\n',
);

describe.each([
  ['memory', {}],
  ['sqlite', {}],
  ['sqlite', { readWorkers: 1 }],
] as const)('serve --store %s %o: _count=0', (store, extra) => {
  it('should answer the total with no entries and no next or previous link, and follow-the-next-links ends', async () => {
    const server = await startServer({ port: 0, dir: temp.dir, store, ...(store === 'sqlite' ? { storeFile: join(temp.dir, `count-zero-${Object.keys(extra).length}.sqlite`) } : {}), ...extra });
    try {
      for (const [path, total] of [
        ['Patient?_count=0', 3],
        ['Patient?_count=0&_offset=2', 3],
        ['Observation?subject=Patient/a&_count=0', 4],
        ['Patient/a/Observation?_count=0', 4],
      ] as const) {
        const reply = await fhir(`${server.url}/${path}`);
        expect(reply.status, path).toBe(200);
        expect(reply.body.total, path).toBe(total);
        expect(reply.body.entry ?? [], path).toEqual([]);
        expect(reply.body.link.map((l: { relation: string }) => l.relation), path).toEqual(['self']);
      }
      // Paging still pages (R4 http.html#paging: first and last as well; http-conformance.test.ts checks their offsets).
      const page = await fhir(`${server.url}/Observation?subject=Patient/a&_count=2&_offset=1`);
      expect(page.body.link.map((l: { relation: string }) => l.relation)).toEqual(['self', 'first', 'previous', 'next', 'last']);
    } finally {
      await server.close();
    }
  }, 240_000);
});

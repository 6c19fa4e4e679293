// The sandbox's answers measured against FHIR R4's RESTful API (http.html), on the memory store and the SQLite store
// (this thread and a read worker), real servers and fetch (s19 trial V, items 2, 3, 11 and 15):
// - instance history is a valid R4 `history` Bundle (bdl-3/bdl-4: request and response on every entry; fullUrl,
//   etag, lastModified, total; a deletion as a DELETE entry without resource), checked with fhirseed's own validator;
// - a read of a deleted resource is 410 Gone, of an unknown one 404 naming it; vread of the deletion is 410;
// - a DELETE of a deleted resource is 200 and changes nothing (alone, in a batch, in a transaction), of an unknown one 404;
// - type and system history are 501 naming what is served; instance history pages with _count and keeps versions
//   since _since, and refuses with 400 what it cannot read or serve (_at, an unknown parameter);
// - HEAD answers as GET without the content (same status and headers);
// - searchset paging has `first` and `last`, and a page past the end points `previous` at the last real page;
// - `PUT Patient/a` with `"id": "b"` names both ids.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { tempDir } from '../helpers/output.js';
import type { Validator } from '../../src/validate/validator.js';
import { checkResource, sharedValidator } from '../helpers/validator.js';
import { fhir } from './helpers.js';

const temp = tempDir('fhirseed-http-conformance-');
afterAll(() => temp.cleanup());
mkdirSync(join(temp.dir, 'ndjson'));
writeFileSync(join(temp.dir, 'ndjson', 'Patient.ndjson'), ['a', 'b', 'c'].map((id) => JSON.stringify({ resourceType: 'Patient', id, gender: 'female' })).join('\n') + '\n');
writeFileSync(
  join(temp.dir, 'ndjson', 'Observation.ndjson'),
  [1, 2, 3, 4, 5].map((n) => JSON.stringify({ resourceType: 'Observation', id: `o${n}`, status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/b' } })).join('\n') + '\n',
);

// Made and used once before any server starts: loading it and compiling the R4 definitions at the first check block
// this thread for seconds to tens of seconds, and fetch then reuses a kept-alive socket whose expiry it could not
// see while blocked, which the server closed meanwhile (ECONNRESET).
let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
  checkResource(validator, { resourceType: 'Bundle', type: 'history' });
}, 240_000);

const text = (body: { issue?: { details?: { text?: string } }[] }) => body.issue?.[0]?.details?.text ?? '';

describe.each([
  ['memory', {}],
  ['sqlite', {}],
  ['sqlite', { readWorkers: 1 }],
] as const)('serve --store %s %o: R4 http.html', (store, extra) => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const file = join(temp.dir, `store-${store}-${Object.keys(extra).length}.sqlite`);
    server = await startServer({ port: 0, dir: temp.dir, store, ...(store === 'sqlite' ? { storeFile: file } : {}), ...extra });
  }, 240_000);
  afterAll(() => server?.close());

  it('should answer an instance history that is a valid R4 history Bundle, deletions included, and 410 for a deleted resource', async () => {
    expect((await fhir(`${server.url}/Patient/a`, { method: 'PUT', body: { resourceType: 'Patient', id: 'a', gender: 'male' } })).status).toBe(200);
    expect((await fhir(`${server.url}/Patient/a`, { method: 'DELETE' })).status).toBe(200);

    const read = await fhir(`${server.url}/Patient/a`);
    expect(read.status).toBe(410);
    expect(read.body.issue[0].code).toBe('deleted');
    expect(text(read.body)).toMatch(/^Patient\/a was deleted at \d{4}-\d\d-\d\dT.*; its versions are at Patient\/a\/_history$/);
    // R4 http.html#delete: deleting a deleted resource has no effect, answered 200 (or 204) as the first DELETE was;
    // 404 only for one that never existed. The history below keeps one deletion, not two.
    const again = await fhir(`${server.url}/Patient/a`, { method: 'DELETE' });
    expect([again.status, again.body.issue[0].severity, text(again.body)]).toEqual([200, 'information', expect.stringMatching(/^Patient\/a was deleted already at \d{4}-.*; nothing changed$/)]);
    const inBatch = await fhir<Bundle>(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'DELETE', url: 'Patient/a' } }, { request: { method: 'DELETE', url: 'Patient/nobody' } }] } });
    expect(inBatch.body.entry!.map((e) => e.response?.status)).toEqual(['200', '404']);
    const inTransaction = await fhir<Bundle>(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: 'Patient/a' } }] } });
    expect([inTransaction.status, inTransaction.body.entry?.[0]?.response?.status]).toEqual([200, '200']);
    const never = await fhir(`${server.url}/Patient/nobody`, { method: 'DELETE' });
    expect([never.status, text(never.body)]).toEqual([404, 'Patient/nobody is not known']);
    const unknown = await fhir(`${server.url}/Patient/nobody`);
    expect(unknown.status).toBe(404);
    expect(text(unknown.body)).toBe('Patient/nobody is not known');

    const history = await fhir<Bundle>(`${server.url}/Patient/a/_history`);
    expect(history.status).toBe(200);
    expect(history.body.type).toBe('history');
    expect(history.body.total).toBe(3);
    const entries = history.body.entry!;
    expect(entries.map((e) => [e.request?.method, e.request?.url, e.response?.status, Boolean(e.resource)])).toEqual([
      ['DELETE', 'Patient/a', '204 No Content', false],
      ['PUT', 'Patient/a', '200 OK', true],
      ['POST', 'Patient', '201 Created', true],
    ]);
    for (const e of entries) {
      expect(e.fullUrl).toBe(`${server.url}/Patient/a`);
      expect(e.response?.etag).toMatch(/^W\/".+"$/);
      expect(e.response?.lastModified).toMatch(/^\d{4}-\d\d-\d\dT/);
      if (e.resource) expect(e.response?.etag).toBe(`W/"${e.resource.meta?.versionId}"`);
    }
    expect((entries[1]!.resource as { gender?: string }).gender).toBe('male');
    expect(new Set(entries.map((e) => e.response?.etag)).size).toBe(3);
    expect(checkResource(validator, history.body).filter((i) => i.severity === 'error')).toEqual([]);
    // The check can fail: the answer's shape before (entries with only a resource) breaks bdl-3 and bdl-4.
    const bare = { resourceType: 'Bundle', type: 'history', entry: entries.filter((e) => e.resource).map((e) => ({ resource: e.resource })) };
    expect(checkResource(validator, bare).map((i) => i.message.split(':')[0])).toEqual(['invariant bdl-3 failed', 'invariant bdl-4 failed']);

    // vread: the deletion is 410, an unknown version 404 naming it, an earlier version 200.
    const deletion = entries[0]!.response!.etag!.slice(3, -1);
    // Its text says when and where the versions are, as the read's 410 does (s20 trial T item 7).
    const gone = await fhir(`${server.url}/Patient/a/_history/${deletion}`);
    expect([gone.status, gone.body.issue[0].code, text(gone.body)]).toEqual([
      410,
      'deleted',
      `Patient/a/_history/${deletion} is the deletion of Patient/a: Patient/a was deleted at ${entries[0]!.response!.lastModified}; its versions are at Patient/a/_history`,
    ]);
    const noVersion = await fhir(`${server.url}/Patient/a/_history/nope`);
    expect(noVersion.status).toBe(404);
    expect(text(noVersion.body)).toBe('Patient/a has no version nope (its versions: Patient/a/_history)');
    expect((await fhir(`${server.url}/Patient/a/_history/${entries[2]!.resource!.meta!.versionId}`)).status).toBe(200);

    // Made again after the deletion: a new first version after the DELETE entry; the read is 200 again.
    expect((await fhir(`${server.url}/Patient/a`, { method: 'PUT', body: { resourceType: 'Patient', id: 'a' } })).status).toBe(201);
    const remade = await fhir<Bundle>(`${server.url}/Patient/a/_history`);
    expect(remade.body.entry!.map((e) => e.request?.method)).toEqual(['POST', 'DELETE', 'PUT', 'POST']);
    expect((await fhir(`${server.url}/Patient/a`)).status).toBe(200);
    expect((await fhir(`${server.url}/Patient/nobody/_history`)).status).toBe(404);
  }, 120_000);

  it('should answer type and system history 501, naming the instance history it serves', async () => {
    for (const path of ['_history', 'Patient/_history']) {
      const reply = await fhir(`${server.url}/${path}`);
      expect(reply.status, path).toBe(501);
      expect(reply.body.issue[0].code, path).toBe('not-supported');
      expect(text(reply.body), path).toContain('GET [type]/[id]/_history');
    }
  });

  it('should answer HEAD as GET without the content', async () => {
    for (const path of ['metadata', 'Patient/b', 'Patient?_count=1', 'Patient/b/_history', 'Patient/nobody', 'Nothing']) {
      const get = await fetch(`${server.url}/${path}`);
      const getBody = await get.arrayBuffer();
      const head = await fetch(`${server.url}/${path}`, { method: 'HEAD' });
      expect(head.status, path).toBe(get.status);
      expect((await head.arrayBuffer()).byteLength, path).toBe(0);
      expect(head.headers.get('content-length'), path).toBe(String(getBody.byteLength));
      for (const name of ['content-type', 'etag', 'last-modified']) expect(head.headers.get(name), `${path} ${name}`).toBe(get.headers.get(name));
    }
    expect((await fetch(`${server.url}/Patient/b`, { method: 'HEAD' })).headers.get('etag')).toMatch(/^W\//);
  });

  it('should give searchset pages first and last links, and a page past the end a previous link to the last page', async () => {
    const links = async (query: string) => {
      const reply = await fhir<Bundle>(`${server.url}/Observation?subject=Patient/b&${query}`);
      expect(reply.status, query).toBe(200);
      expect(reply.body.total, query).toBe(5);
      return Object.fromEntries((reply.body.link ?? []).map((l) => [l.relation, new URL(l.url).searchParams.get('_offset')]));
    };
    expect(await links('_count=2')).toEqual({ self: '0', first: '0', next: '2', last: '4' });
    expect(await links('_count=2&_offset=2')).toEqual({ self: '2', first: '0', previous: '0', next: '4', last: '4' });
    expect(await links('_count=2&_offset=4')).toEqual({ self: '4', first: '0', previous: '2', last: '4' });
    expect(await links('_count=2&_offset=100')).toEqual({ self: '100', first: '0', previous: '4', last: '4' });
    expect(await links('_count=5&_offset=5')).toEqual({ self: '5', first: '0', previous: '0', last: '0' });
    // A repeated _count or _offset is refused, as instance history refuses it (which one was meant cannot be known).
    for (const [query, said] of [['_count=1&_count=2', '_count given 2 times (_count=1&_count=2): give it once'], ['_offset=0&_offset=2', '_offset given 2 times']]) {
      const twice = await fhir(`${server.url}/Observation?subject=Patient/c&${query}`);
      expect([twice.status, twice.body.issue?.[0]?.code, text(twice.body)], query).toEqual([400, 'invalid', expect.stringContaining(said!)]);
    }
    const none = await fhir<Bundle>(`${server.url}/Observation?subject=Patient/c&_count=2&_offset=6`);
    expect(Object.fromEntries((none.body.link ?? []).map((l) => [l.relation, new URL(l.url).searchParams.get('_offset')]))).toEqual({ self: '6', first: '0', last: '0' });
  });

  it('should page an instance history with _count (links as a searchset has) and keep the versions since _since', async () => {
    // Five versions of Patient/h, each a millisecond or more after the one before (their meta.lastUpdated differ).
    for (const gender of ['female', 'male', 'other', 'unknown', 'female']) {
      expect((await fhir(`${server.url}/Patient/h`, { method: 'PUT', body: { resourceType: 'Patient', id: 'h', gender } })).status).toBeLessThan(300);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const all = (await fhir<Bundle>(`${server.url}/Patient/h/_history`)).body;
    expect([all.total, all.link]).toEqual([5, undefined]);
    const etags = all.entry!.map((e) => e.response?.etag);

    // _count pages, newest first, following next to the end: the same entries as the whole history, in its order.
    const first = await fhir<Bundle>(`${server.url}/Patient/h/_history?_count=2`);
    expect(first.status).toBe(200);
    expect([first.body.type, first.body.total, first.body.entry!.length]).toEqual(['history', 5, 2]);
    const offsets = (b: Bundle) => Object.fromEntries((b.link ?? []).map((l) => [l.relation, new URL(l.url).searchParams.get('_offset')]));
    expect(offsets(first.body)).toEqual({ self: '0', first: '0', next: '2', last: '4' });
    const paged: (string | undefined)[] = [];
    for (let page: Bundle | undefined = first.body; page; ) {
      paged.push(...page.entry!.map((e) => e.response?.etag));
      for (const e of page.entry!) expect(e.fullUrl).toBe(`${server.url}/Patient/h`);
      const next: string | undefined = page.link?.find((l) => l.relation === 'next')?.url;
      page = next ? (await fhir<Bundle>(next)).body : undefined;
    }
    expect(paged).toEqual(etags);
    expect(offsets((await fhir<Bundle>(`${server.url}/Patient/h/_history?_count=2&_offset=4`)).body)).toEqual({ self: '4', first: '0', previous: '2', last: '4' });

    // _since: the versions whose lastUpdated is at or after it (here the third newest and those after it).
    const since = all.entry![2]!.response!.lastModified!;
    const kept = all.entry!.filter((e) => Date.parse(e.response!.lastModified!) >= Date.parse(since)).map((e) => e.response?.etag);
    expect(kept.length).toBe(3);
    const recent = await fhir<Bundle>(`${server.url}/Patient/h/_history?_since=${encodeURIComponent(since)}`);
    expect([recent.status, recent.body.total, recent.body.entry!.map((e) => e.response?.etag)]).toEqual([200, 3, kept]);
    // Both: the links keep _since.
    const both = await fhir<Bundle>(`${server.url}/Patient/h/_history?_since=${encodeURIComponent(since)}&_count=2`);
    expect([both.body.total, both.body.entry!.map((e) => e.response?.etag)]).toEqual([3, kept.slice(0, 2)]);
    expect(new URL(both.body.link!.find((l) => l.relation === 'next')!.url).searchParams.get('_since')).toBe(since);
    const none = (await fhir<Bundle>(`${server.url}/Patient/h/_history?_since=2999-01-01T00:00:00Z`)).body;
    expect([none.type, none.total, none.entry]).toEqual(['history', 0, undefined]);

    // An unencoded `+` in _since (decoded as a space by the URL parser) is read as the `+` meant, as $export reads it
    // (s20 trial T item 5): the same versions as `%2B`.
    const [date, offsetless] = [since.slice(0, 19), since.slice(19, -1)];
    const plus = await fhir<Bundle>(`${server.url}/Patient/h/_history?_since=${date}${offsetless}+00:00`);
    expect([plus.status, plus.body.total, plus.body.entry?.map((e) => e.response?.etag)]).toEqual([200, 3, kept]);
    const east = await fhir<Bundle>(`${server.url}/Patient/h/_history?_since=2999-01-01T00:00:00+14:00`);
    expect([east.status, east.body.total]).toEqual([200, 0]);
    // Full precision (item 6): a version at …02.736Z is before …02.7365Z, so it is left out; at …02.7360Z kept.
    const subMs = await fhir<Bundle>(`${server.url}/Patient/h/_history?_since=${encodeURIComponent(since.replace('Z', '5Z'))}`);
    expect([subMs.status, subMs.body.total, subMs.body.entry?.map((e) => e.response?.etag)]).toEqual([200, 2, kept.slice(0, 2)]);
    const zero = await fhir<Bundle>(`${server.url}/Patient/h/_history?_since=${encodeURIComponent(since.replace('Z', '0Z'))}`);
    expect([zero.status, zero.body.total]).toEqual([200, 3]);
    const leapDay = await fhir<Bundle>(`${server.url}/Patient/h/_history?_since=2024-02-29T00:00:00Z`);
    expect([leapDay.status, leapDay.body.total]).toEqual([200, 5]);

    // What it cannot read or does not serve: 400 naming the parameter.
    for (const [query, code, said] of [
      ['_since=2024-01-01', 'invalid', '_since=2024-01-01: expected an instant'],
      // No such date (item 6), and a shown value is what was typed, `+` included (item 5).
      ['_since=2026-02-30T00:00:00Z', 'invalid', '_since=2026-02-30T00:00:00Z: expected an instant, a real date'],
      ['_since=2025-02-29T00:00:00+01:00', 'invalid', '_since=2025-02-29T00:00:00+01:00: expected an instant, a real date'],
      ['_since=2026-04-31T00:00:00Z', 'invalid', '_since=2026-04-31T00:00:00Z: expected'],
      // Given twice (item 6): which was meant cannot be known.
      ['_since=2024-01-01T00:00:00Z&_since=2025-01-01T00:00:00Z', 'invalid', '_since given 2 times (_since=2024-01-01T00:00:00Z&_since=2025-01-01T00:00:00Z): give it once'],
      ['_count=1&_count=2', 'invalid', '_count given 2 times (_count=1&_count=2): give it once'],
      ['_offset=0&_offset=2&_count=1', 'invalid', '_offset given 2 times'],
      ['_count=two', 'invalid', '_count=two: expected a whole number'],
      ['_at=2024', 'not-supported', '_at '],
      // The message lists every parameter it takes (item 10).
      ['gender=male', 'invalid', "unknown parameter 'gender' for an instance history (GET Patient/h/_history takes _count, _offset, _since, _format and _pretty)"],
    ]) {
      const refused = await fhir(`${server.url}/Patient/h/_history?${query}`);
      expect([refused.status, refused.body.issue[0].code, text(refused.body)], query).toEqual([400, code, expect.stringContaining(said!)]);
    }
  });

  it("should name both ids when a PUT's body is another resource than its URL", async () => {
    const other = await fhir(`${server.url}/Patient/c`, { method: 'PUT', body: { resourceType: 'Patient', id: 'b' } });
    expect(other.status).toBe(400);
    expect(other.body.issue[0].code).toBe('invalid');
    expect(text(other.body)).toBe('the body\'s id "b" is not the URL\'s "c" (PUT Patient/c)');
    const noId = await fhir(`${server.url}/Patient/c`, { method: 'PUT', body: { resourceType: 'Patient' } });
    expect([noId.status, text(noId.body)]).toEqual([400, 'the body has no id: PUT Patient/c needs "id": "c" in it']);
    const type = await fhir(`${server.url}/Patient/c`, { method: 'PUT', body: { resourceType: 'Observation', id: 'c' } });
    expect([type.status, text(type.body)]).toEqual([400, 'the body\'s resourceType is "Observation", but PUT Patient/c takes a Patient']);
    expect((await fhir(`${server.url}/Patient/b`)).body.gender).toBe('female');
    // The same in a batch (that entry alone) and a transaction (whole, nothing stored).
    const put = (id: string, body: object) => ({ resource: body, request: { method: 'PUT', url: `Patient/${id}` } });
    const batch = await fhir<Bundle>(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: [put('c', { resourceType: 'Patient', id: 'b' }), put('c', { resourceType: 'Patient', id: 'c', gender: 'other' })] } });
    expect(batch.status).toBe(200);
    expect(batch.body.entry!.map((e) => [e.response?.status, text(e.response?.outcome as never)])).toEqual([
      ['400 Bad Request', 'Bundle.entry[0].resource\'s id "b" is not the URL\'s "c" (PUT Patient/c)'],
      ['200', expect.any(String)],
    ]);
    const transaction = await fhir(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: [put('c', { resourceType: 'Patient', id: 'c', gender: 'male' }), put('b', { resourceType: 'Observation', id: 'b' })] } });
    expect([transaction.status, text(transaction.body)]).toEqual([400, 'Bundle.entry[1].resource\'s resourceType is "Observation", but PUT Patient/b takes a Patient']);
    expect(transaction.body.issue[0].expression).toEqual(['Bundle.entry[1].resource.resourceType']);
    expect((await fhir(`${server.url}/Patient/c`)).body.gender).toBe('other');
  });
});

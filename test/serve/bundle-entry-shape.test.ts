// A transaction's or batch's entries that are not Bundle entries of R4's shape: not an object, no request (bdl-3:
// entry.request is required in a transaction or batch), a request.method that is no http-verb, no request.url, a
// fullUrl or resource of the wrong JSON type. Each is the client's mistake, answered 400 `invalid` naming the entry:
// a transaction whole (nothing stored), a batch entry alone, the others going on. Before: a 500 `exception` (null
// entry, a url that is a number, `entry` an object; also with smart-backend scopes and with --validate), a whole batch
// 400 for one entry's string resource, and a transaction with an entry without request answered 200 with the other
// entries stored (medplum answers that entry in place, even in a transaction). Real servers, fetch.
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { fhir } from './helpers.js';

let plain: RunningServer;
let backend: RunningServer;
beforeAll(async () => {
  [plain, backend] = await Promise.all([
    startServer({ port: 0 }),
    startServer({ port: 0, store: 'memory', auth: { mode: 'smart-backend', clients: [{ clientId: 'backend', secret: 's3cret' }] } }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([plain?.close(), backend?.close()]);
});

const post = (family: string) => ({ resource: { resourceType: 'Patient', name: [{ family }] }, request: { method: 'POST', url: 'Patient' } });
/** Each malformed entry, and the expression and text of its one issue. */
const MALFORMED: [unknown, string, string][] = [
  [null, 'Bundle.entry[N]', 'Bundle.entry[N] is not a Bundle entry (a JSON object): null'],
  ['x', 'Bundle.entry[N]', 'Bundle.entry[N] is not a Bundle entry (a JSON object): "x"'],
  [{ resource: { resourceType: 'Patient' } }, 'Bundle.entry[N].request', 'Bundle.entry[N].request is missing: each entry of a transaction or batch says what to do with it (R4 bdl-3), a request with method and url'],
  [{ resource: { resourceType: 'Patient' }, request: 'x' }, 'Bundle.entry[N].request', 'Bundle.entry[N].request is missing: each entry of a transaction or batch says what to do with it (R4 bdl-3), a request with method and url'],
  [{ resource: { resourceType: 'Patient' }, request: { method: 5, url: 'Patient' } }, 'Bundle.entry[N].request.method', 'Bundle.entry[N].request.method 5 is not one of GET, HEAD, POST, PUT, DELETE, PATCH (R4 http-verb)'],
  [{ resource: { resourceType: 'Patient' }, request: { method: 'post', url: 'Patient' } }, 'Bundle.entry[N].request.method', 'Bundle.entry[N].request.method "post" is not one of GET, HEAD, POST, PUT, DELETE, PATCH (R4 http-verb)'],
  [{ resource: { resourceType: 'Patient', id: 's' }, request: { method: 'PUT', url: 5 } }, 'Bundle.entry[N].request.url', 'Bundle.entry[N].request.url is missing or not a text: the URL of the entry\'s request, relative to the base (Patient, Patient/123, Patient?identifier=…)'],
  [{ resource: { resourceType: 'Patient' }, request: { method: 'POST' } }, 'Bundle.entry[N].request.url', 'Bundle.entry[N].request.url is missing or not a text: the URL of the entry\'s request, relative to the base (Patient, Patient/123, Patient?identifier=…)'],
  [{ fullUrl: 5, resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }, 'Bundle.entry[N].fullUrl', 'Bundle.entry[N].fullUrl is not a text (a uri): 5'],
  [{ resource: 'x', request: { method: 'POST', url: 'Patient' } }, 'Bundle.entry[N].resource', 'Bundle.entry[N].resource is not a resource (a JSON object): "x"'],
  [{ resource: [{ resourceType: 'Patient' }], request: { method: 'POST', url: 'Patient' } }, 'Bundle.entry[N].resource', 'Bundle.entry[N].resource is not a resource (a JSON object): [{"resourceType":"Patient"}]'],
];
const issues = (outcome: OperationOutcome | undefined) => (outcome?.issue ?? []).map((i) => `${i.code} ${i.expression?.[0]} ${i.details?.text}`);
const count = async (url: string, family: string) => (await fhir<Bundle>(`${url}/Patient?family=${family}&_summary=count`)).body.total;

describe('serve: transaction and batch entries of the wrong shape', () => {
  it.each(MALFORMED.map((m, k) => [k, ...m] as const))('should refuse a transaction whose second entry is malformed (%i: %j) whole, 400 invalid naming it, nothing stored', async (k, malformed, expression, text) => {
    const family = `ShapeTx${k}`;
    const reply = await fhir<OperationOutcome>(plain.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: [post(family), malformed] } });
    expect(reply.status).toBe(400);
    expect(issues(reply.body)).toEqual([`invalid ${expression.replace('[N]', '[1]')} ${text.replace('[N]', '[1]')}`]);
    expect(await count(plain.url, family)).toBe(0);
  });

  it('should answer each malformed entry of a batch alone, 400 invalid naming it, and store the others', async () => {
    const entry = [post('ShapeBatch'), ...MALFORMED.map(([m]) => m), post('ShapeBatch')];
    const reply = await fhir<Bundle>(plain.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry } });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status)).toEqual(['201', ...MALFORMED.map(() => '400 Bad Request'), '201']);
    expect(reply.body.entry!.slice(1, -1).map((e) => issues(e.response?.outcome as OperationOutcome))).toEqual(
      MALFORMED.map(([, expression, text], k) => [`invalid ${expression.replace('[N]', `[${k + 1}]`)} ${text.replace('[N]', `[${k + 1}]`)}`]),
    );
    expect(await count(plain.url, 'ShapeBatch')).toBe(2);
  });

  it.each(['transaction', 'batch'])('should refuse a %s whose entry is not an array, 400 invalid', async (type) => {
    const reply = await fhir<OperationOutcome>(plain.url, { method: 'POST', body: { resourceType: 'Bundle', type, entry: { resource: { resourceType: 'Patient' } } } });
    expect(reply.status).toBe(400);
    expect(issues(reply.body)).toEqual(['invalid Bundle.entry Bundle.entry is not an array of entries: an object']);
  });

  it('should answer a null batch entry alone under SMART Backend Services scopes too', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.cruds' });
    const basic = `Basic ${Buffer.from('backend:s3cret').toString('base64')}`;
    const res = await fetch(`${new URL(backend.url).origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: form.toString() });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const reply = await fhir<Bundle>(backend.url, { method: 'POST', token, body: { resourceType: 'Bundle', type: 'batch', entry: [null, post('ShapeBackend'), { request: { method: 7, url: 3 } }] } });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status)).toEqual(['400 Bad Request', '201', '400 Bad Request']);
  });
});

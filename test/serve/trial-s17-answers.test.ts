// s17 new-user trial U, F5 F10 F11 F12: what the sandbox answers, with real HTTP clients against in-process servers.
// F5: an empty page has no `"entry":[]` (FHIR JSON has no empty arrays). F10: a transaction whose `urn:uuid:`
// placeholder resolves to no entry, or whose fullUrl is `urn:uuid:` without a UUID, is a 400 `processing` with
// nothing stored; in a batch that entry fails alone. F11: malformed search values are 400s naming the parameter
// and the value; a request head over Node's 16 KiB is a 431 with an OperationOutcome and CORS headers.
// F12: smart-patient issues an OpenID Connect id_token verifiable against the published JWKS.
import { request } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { fhir, onePatientOutput } from './helpers.js';
import { CLIENT_ID, exchangeCode, signIn } from './patient-login.js';

const cleanups: (() => void)[] = [];
const token = 'static-test-token';
const APP = 'http://app.example';
let server: RunningServer;
let origin: string;

beforeAll(async () => {
  const dir = onePatientOutput('fhirseed-s17-answers-', cleanups);
  server = await startServer({
    port: 0,
    dir,
    store: 'memory',
    corsOrigins: [APP],
    // A static token sees everything and may write (patient tokens only read their own compartment).
    auth: { mode: 'smart-patient', members: [{ username: 'ann', password: 'pw', patientId: 'a' }], tokenLifetimeSeconds: 120, staticTokens: [token] },
  });
  origin = new URL(server.url).origin;
}, 300_000);

afterAll(async () => {
  await server?.close();
  for (const cleanup of cleanups) cleanup();
});

const get = (path: string) => fetch(`${server.url}/${path}`, { headers: { authorization: `Bearer ${token}` } });
const post = (body: unknown) => fhir(server.url, { method: 'POST', body, token });
const diagnostics = (outcome: { issue: { details?: { text?: string }; diagnostics?: string }[] }) => outcome.issue.map((i) => i.details?.text ?? i.diagnostics).join(' | ');

describe('F5: empty search pages', () => {
  it('should leave entry out, not answer an empty array, when a page has no match', async () => {
    for (const path of ['Patient?name=zzzzqq', 'Patient?_count=0', 'Patient?_offset=5', 'Patient/a/Observation']) {
      const res = await get(path);
      const text = await res.text();
      expect(res.status, path).toBe(200);
      expect(text, path).not.toMatch(/\[\]/);
      expect(JSON.parse(text).total, path).toBe(path.startsWith('Patient?_') ? 1 : 0);
    }
  });
});

describe('F11: malformed search values and oversized requests', () => {
  it('should refuse a value the search cannot read with a 400 naming the parameter and the value', async () => {
    for (const [path, named] of [
      ['Patient?gender:missing=maybe', 'gender:missing=maybe'],
      ['Patient?birthdate=ge', 'birthdate=ge: expected a date'],
      ['Patient?birthdate=ge2020&birthdate=xx', 'birthdate=xx: expected a date'],
      ['RiskAssessment?probability=abc', 'probability=abc: expected a number'],
      ['Observation?value-quantity=lots', 'value-quantity=lots: expected a number'],
    ]) {
      const res = await get(path!);
      const body = await res.json();
      expect(res.status, path).toBe(400);
      expect(body.issue[0].code, path).toBe('invalid');
      expect(diagnostics(body), path).toContain(named);
    }
    for (const path of ['Patient?gender:missing=false', 'Patient?birthdate=ge2020', 'RiskAssessment?probability=gt0.5', 'Observation?value-quantity=5.4|http://unitsofmeasure.org|mg']) {
      expect((await get(path)).status, path).toBe(200);
    }
  });

  it('should answer a request head over 16 KiB with 431, an OperationOutcome naming the limit, and CORS headers', async () => {
    const { port } = new URL(server.url);
    const reply = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/fhir/Patient?name=${'x'.repeat(20_000)}`, headers: { origin: APP } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += String(d)));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(reply.status).toBe(431);
    expect(reply.headers['content-type']).toMatch(/application\/fhir\+json/);
    const outcome = JSON.parse(reply.body);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].code).toBe('too-long');
    expect(outcome.issue[0].diagnostics).toContain('16 KiB');
    expect(reply.headers['access-control-allow-origin']).toBe(APP);
  });
});

const P = 'urn:uuid:11111111-1111-4111-8111-111111111111';
const C = 'urn:uuid:22222222-2222-4222-8222-222222222222';
const NOWHERE = 'urn:uuid:33333333-3333-4333-8333-333333333333';
const patientEntry = { fullUrl: P, resource: { resourceType: 'Patient', name: [{ family: 'Placeholder' }] }, request: { method: 'POST', url: 'Patient' } };
const coverageEntry = (payor: string) => ({
  fullUrl: C,
  resource: { resourceType: 'Coverage', status: 'active', beneficiary: { reference: P }, payor: [{ reference: payor }] },
  request: { method: 'POST', url: 'Coverage' },
});

describe('F10: transaction placeholders', () => {
  const stored = async () => (await fhir(`${server.url}/Patient?family=Placeholder&_summary=count`, { token })).body.total as number;

  it('should refuse a transaction whose urn:uuid: reference names no entry, 400 processing naming both, and store nothing', async () => {
    const reply = await post({ resourceType: 'Bundle', type: 'transaction', entry: [patientEntry, coverageEntry(NOWHERE)] });
    expect(reply.status).toBe(400);
    expect(reply.body.issue[0].code).toBe('processing');
    expect(reply.body.issue[0].expression).toEqual(['Bundle.entry[1].resource.payor[0].reference']);
    expect(diagnostics(reply.body)).toContain(NOWHERE);
    expect(await stored()).toBe(0);
  });

  it('should refuse a transaction whose fullUrl is urn:uuid: without a UUID', async () => {
    const bad = { fullUrl: 'urn:uuid:NOT-A-UUID', resource: { resourceType: 'Organization', name: 'x' }, request: { method: 'POST', url: 'Organization' } };
    const reply = await post({ resourceType: 'Bundle', type: 'transaction', entry: [patientEntry, bad] });
    expect(reply.status).toBe(400);
    expect(reply.body.issue[0].code).toBe('processing');
    expect(diagnostics(reply.body)).toContain('Bundle.entry[1].fullUrl "urn:uuid:NOT-A-UUID"');
    expect(await stored()).toBe(0);
  });

  it('should fail that entry alone in a batch, and resolve placeholders that name an entry in a transaction', async () => {
    const batch = await post({ resourceType: 'Bundle', type: 'batch', entry: [patientEntry, coverageEntry(NOWHERE)] });
    expect(batch.status).toBe(200);
    expect(batch.body.entry.map((e: { response: { status: string } }) => e.response.status.slice(0, 3))).toEqual(['201', '400']);
    expect(diagnostics(batch.body.entry[1].response.outcome)).toContain(NOWHERE);
    expect(await stored()).toBe(1);
    const tx = await post({ resourceType: 'Bundle', type: 'transaction', entry: [patientEntry, coverageEntry(P)] });
    expect(tx.status).toBe(200);
    const coverage = tx.body.entry[1].resource;
    expect(coverage.payor[0].reference).toBe(`Patient/${tx.body.entry[0].resource.id}`);
  });
});

describe('F12: OpenID Connect id_token of smart-patient', () => {
  it('should issue an id_token signed with the key at jwks_uri, naming the member as fhirUser, with the nonce', async () => {
    const config = await (await fetch(`${origin}/.well-known/smart-configuration`)).json();
    expect(config.capabilities).toContain('sso-openid-connect');
    expect(config.issuer).toBe(server.url);
    const code = await signIn(origin, server.url, 'ann', 'pw', { nonce: 'n-0S6_WzA2Mj' });
    const reply = await exchangeCode(origin, code);
    expect(reply.body.scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'fhirUser']));
    const { payload, protectedHeader } = await jwtVerify(reply.body.id_token, createRemoteJWKSet(new URL(config.jwks_uri)), { issuer: server.url, audience: CLIENT_ID });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: 'a', fhirUser: `${server.url}/Patient/a`, nonce: 'n-0S6_WzA2Mj' });
    expect(payload.exp! - payload.iat!).toBe(120);
    // The fhirUser URL is the member's own Patient, readable with the access token.
    const me = await fhir(payload.fhirUser as string, { token: reply.body.access_token });
    expect(me.body.id).toBe('a');
    const withoutOpenId = await exchangeCode(origin, await signIn(origin, server.url, 'ann', 'pw', { scope: 'launch/patient patient/*.read' }));
    expect(withoutOpenId.body.access_token).toBeTruthy();
    expect(withoutOpenId.body.id_token).toBeUndefined();
  });
});

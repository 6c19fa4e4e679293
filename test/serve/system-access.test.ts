import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { grantedSystemScope } from '../../src/serve/auth.js';
import type { Patient } from '@medplum/fhirtypes';
import { SystemGrant, bundleNeeds, routeNeeds, systemDenial, type Need } from '../../src/serve/system-access.js';
import { fhir } from './helpers.js';

/** Issue 4 (P4): SMART Backend Services scopes are checked at the token endpoint and enforced on every FHIR route. */
describe('serve: SMART Backend Services scopes on every route', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let origin: string;
  const basic = `Basic ${Buffer.from('backend:s3cret').toString('base64')}`;

  const token = async (scope: string | undefined) => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) });
    const res = await fetch(`${origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: form.toString() });
    return { status: res.status, body: (await res.json()) as { access_token?: string; scope?: string; error?: string; error_description?: string } };
  };
  const tokenFor = async (scope: string) => {
    const reply = await token(scope);
    expect(reply.status).toBe(200);
    return reply.body.access_token!;
  };
  const patient = (id: string) => ({ resourceType: 'Patient', id, name: [{ family: 'Doe' }] });
  const coverage = (id: string) => ({ resourceType: 'Coverage', id, status: 'active', beneficiary: { reference: 'Patient/p1' }, payor: [{ reference: 'Patient/p1' }] });

  beforeAll(async () => {
    server = await startServer({ port: 0, store: 'memory', auth: { mode: 'smart-backend', clients: [{ clientId: 'backend', secret: 's3cret' }], staticTokens: ['admin'] } });
    origin = new URL(server.url).origin;
    for (const resource of [patient('p1'), coverage('c1')]) {
      expect((await fhir(`${server.url}/${resource.resourceType}/${resource.id}`, { method: 'PUT', body: resource, token: 'admin' })).status).toBe(201);
    }
  }, 30_000);
  afterAll(() => server.close());

  const types = ['Patient', 'Coverage', '*'] as const;
  const permissions = ['read', 'write', '*', 'c', 'r', 'u', 'd', 's', 'rs', 'cud', 'cruds', 'cu', 'ds'];
  const scope = fc.tuple(fc.constantFrom(...types), fc.constantFrom(...permissions)).map(([t, p]) => `system/${t}.${p}`);
  // What SMART App Launch 2 says each scope grants (v1 read = rs, write = cud, * = cruds), written out independently.
  const grants = (one: string, type: string, letter: string) => {
    const [, t, p] = /^system\/([^.]+)\.(.+)$/.exec(one)!;
    const letters = ({ read: 'rs', write: 'cud', '*': 'cruds' } as Record<string, string>)[p!] ?? p!;
    return (t === '*' || t === type) && letters.includes(letter);
  };

  it('should refuse a scope it does not understand with invalid_scope, and grant exactly the understood scopes asked for', async () => {
    for (const scope of ['patient/*.read', 'system/*.sr', 'system/*.read launch', 'system/*.rread', '  ', 'system/Patients.read', 'system/*.read system/Foo.rs']) {
      const reply = await token(scope);
      expect(reply.status, scope).toBe(400);
      expect(reply.body.error).toBe('invalid_scope');
      if (scope.trim()) expect(reply.body.error_description).toContain(scope.trim().split(/\s+/).find((s) => s !== 'system/*.read'));
    }
    expect((await token('system/Patient.rs  system/*.cud system/Patient.rs')).body.scope).toBe('system/Patient.rs system/*.cud');
    expect((await token(undefined)).body.scope).toBe('system/*.read');
  });

  it('should let a read-only token read and search but not write (PUT, POST, DELETE, transaction), 403 naming the scope', async () => {
    for (const scope of ['system/*.read', 'system/*.rs']) {
      const read = await tokenFor(scope);
      expect((await fhir(`${server.url}/Patient/p1`, { token: read })).status).toBe(200);
      expect((await fhir(`${server.url}/Patient?family=Doe`, { token: read })).status).toBe(200);
      expect((await fhir(`${server.url}/Patient/p1/_history`, { token: read })).status).toBe(200);
      const refusals = [
        await fhir(`${server.url}/Patient/p2`, { method: 'PUT', body: patient('p2'), token: read }),
        await fhir(`${server.url}/Patient`, { method: 'POST', body: patient('p3'), token: read }),
        await fhir(`${server.url}/Patient/p1`, { method: 'DELETE', token: read }),
        await fhir(server.url, { method: 'POST', token: read, body: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient('p4'), request: { method: 'PUT', url: 'Patient/p4' } }] } }),
      ];
      for (const refused of refusals) {
        expect(refused.status).toBe(403);
        expect(refused.body.issue[0].code).toBe('forbidden');
        expect(refused.body.issue[0].details.text).toMatch(/system\/Patient\.write or SMART v2 system\/Patient\.[cud]/);
      }
    }
    // Nothing was written, and p1 is still there.
    for (const id of ['p2', 'p3', 'p4']) expect((await fhir(`${server.url}/Patient/${id}`, { token: 'admin' })).status).toBe(404);
    expect((await fhir(`${server.url}/Patient?_count=50`, { token: 'admin' })).body.total).toBe(1);
  });

  it('should let a write-only v2 token write but not read or search', async () => {
    const write = await tokenFor('system/*.cud');
    expect((await fhir(`${server.url}/Patient/w1`, { method: 'PUT', body: patient('w1'), token: write })).status).toBe(201);
    for (const path of ['Patient/p1', 'Patient?family=Doe', 'Patient/p1/$everything']) {
      const refused = await fhir(`${server.url}/${path}`, { token: write });
      expect(refused.status, path).toBe(403);
      expect(refused.body.issue[0].details.text).toMatch(/system\/(Patient|\*)\.read or SMART v2 system\/(Patient|\*)\.[rs]/);
    }
    const batchRead = await fhir(server.url, { method: 'POST', token: write, body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patient/p1' } }] } });
    expect(batchRead.status).toBe(403);
    expect((await fhir(`${server.url}/Patient/w1`, { method: 'DELETE', token: write })).status).toBeLessThan(300);
  });

  it('should hold a per-type token to its types, in searches with _include too', async () => {
    const patients = await tokenFor('system/Patient.rs');
    expect((await fhir(`${server.url}/Patient/p1`, { token: patients })).status).toBe(200);
    expect((await fhir(`${server.url}/Coverage/c1`, { token: patients })).status).toBe(403);
    const included = await fhir(`${server.url}/Patient?_revinclude=Coverage:beneficiary`, { token: patients });
    expect(included.status).toBe(200);
    expect(included.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Patient']);
    const both = await fhir(`${server.url}/Patient?_revinclude=Coverage:beneficiary`, { token: await tokenFor('system/Patient.rs system/Coverage.r') });
    expect(both.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType).sort()).toEqual(['Coverage', 'Patient']);
  });

  it('should answer over HTTP as the scope grammar says: 403 exactly when no scope grants the request (property)', async () => {
    const requests: [string, string, string, string, unknown?][] = [
      ['GET', 'Patient/p1', 'Patient', 'r'],
      ['GET', 'Coverage?status=active', 'Coverage', 's'],
      ['PUT', 'Patient/q1', 'Patient', 'u', patient('q1')],
      ['POST', 'Coverage', 'Coverage', 'c', coverage('q2')],
      ['DELETE', 'Patient/q3', 'Patient', 'd'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(scope, { minLength: 1, maxLength: 3 }), fc.constantFrom(...requests), async (scopes, [method, path, type, letter, body]) => {
        const reply = await fhir(`${server.url}/${path}`, { method, body, token: await tokenFor(scopes.join(' ')) });
        expect(reply.status === 403, `${scopes.join(' ')} ${method} ${path}`).toBe(!scopes.some((s) => grants(s, type, letter)));
      }),
      { numRuns: 25 },
    );
  });

  it('should decide every route as the scope grammar says (property)', () => {
    const routes: [string, string[], string, string][] = [
      ['GET', ['Patient', 'p1'], 'Patient', 'r'],
      ['GET', ['Coverage'], 'Coverage', 's'],
      ['POST', ['Coverage', '_search'], 'Coverage', 's'],
      ['GET', ['Patient', 'p1', '_history', '1'], 'Patient', 'r'],
      ['GET', ['Patient', 'p1', 'Coverage'], 'Coverage', 's'],
      ['POST', ['Patient'], 'Patient', 'c'],
      ['PUT', ['Coverage', 'c1'], 'Coverage', 'u'],
      ['PATCH', ['Patient', 'p1'], 'Patient', 'u'],
      ['DELETE', ['Coverage', 'c1'], 'Coverage', 'd'],
      ['DELETE', ['Coverage'], 'Coverage', 'd'],
      ['GET', ['Patient', 'p1', '$everything'], '*', 'r'],
    ];
    const request = fc.constantFrom(...routes);
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 3 }), request, (scopes, [method, segments, type, letter]) => {
        const grant = new SystemGrant(scopes.join(' '));
        const refused = systemDenial(grant, routeNeeds(method, segments)!, `${method} ${segments.join('/')}`);
        expect(refused === undefined).toBe(scopes.some((s) => grants(s, type, letter)));
        // Whatever the token endpoint grants is understood by the same grammar.
        if (scopes.length) expect(grantedSystemScope(scopes.join(' '))).toBe([...new Set(scopes)].join(' '));
      }),
      { numRuns: 400 },
    );
  });

  it('should name in a 403 a scope that, added to the token, grants what the request needs of that type (property)', () => {
    // $import needs c and u on every type, $member-match s on Patient and Coverage, a transaction each entry's letter.
    const routes: Need[][] = [
      routeNeeds('POST', ['$import'])!,
      routeNeeds('POST', ['Patient', '$member-match'])!,
      bundleNeeds({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'GET', url: 'Patient/p1' } }, { resource: patient('p2') as Patient, request: { method: 'PUT', url: 'Patient/p2' } }, { request: { method: 'DELETE', url: 'Patient/p3' } }] }),
      routeNeeds('GET', ['Patient', 'p1', '$everything'])!,
    ];
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 3 }), fc.constantFrom(...routes), (scopes, needs) => {
        const refused = systemDenial(new SystemGrant(scopes.join(' ')), needs, 'the request');
        if (refused === undefined) return;
        const [, v1, v2] = /it needs (system\/\S+) or SMART v2 (system\/\S+) /.exec(refused)!;
        for (const named of [v1!, v2!]) {
          const type = named.slice('system/'.length, named.indexOf('.'));
          const widened = new SystemGrant([...scopes, named].join(' '));
          expect(needs.filter((n) => n.type === type).every((n) => widened.allows(n.type, n.permission)), `${scopes.join(' ')} + ${named}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
    expect(systemDenial(new SystemGrant('system/*.read'), routes[0]!, '$import')).toContain('it needs system/*.write or SMART v2 system/*.cu ');
  });
});

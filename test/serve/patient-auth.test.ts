import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestAccount } from '../../src/output/accounts.js';
import { startServer } from '../../src/serve/index.js';
import { UserError } from '../../src/util/errors.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { describeEmbedded, fhir, startTestServer, type TestServer, runCliChild } from './helpers.js';
import { authorizeParams, exchangeCode, signIn, SCOPE, REDIRECT_URI } from './patient-login.js';

describeEmbedded('serve: SMART standalone patient launch for test members', () => {
  const temp = tempDir('fhirseed-serve-patient-');
  let server: TestServer;
  let origin: string;
  let files: Resource[];
  let accounts: TestAccount[];
  /** Two members with claims: the one signed in, and another whose data must stay hidden. */
  let me: TestAccount;
  let other: TestAccount;
  let token: string;

  beforeAll(async () => {
    generateTo(temp.dir, { ...shippedProfile('default'), members: 6 });
    files = bundleResources(temp.dir).flatMap((b) => b.resources);
    accounts = JSON.parse(readFileSync(join(temp.dir, 'test-accounts.json'), 'utf8')) as TestAccount[];
    const withClaims = accounts.filter((a) => Object.values(a.claims).some((n) => n > 0));
    [me, other] = withClaims as [TestAccount, TestAccount];
    server = await startTestServer({ dir: temp.dir, auth: { mode: 'smart-patient', tokenLifetimeSeconds: 60 } });
    origin = new URL(server.url).origin;
    const code = await signIn(origin, server.url, me.username, me.password);
    const reply = await exchangeCode(origin, code);
    expect(reply.status).toBe(200);
    token = reply.body.access_token;
  }, 90_000);

  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  const eobsOf = (patientId: string) => files.filter((r) => r.resourceType === 'ExplanationOfBenefit' && (r as ExplanationOfBenefit).patient.reference === `Patient/${patientId}`);

  it('should list the authorize and token endpoints, PKCE and the patient scopes in the SMART configuration', async () => {
    const config = await (await fetch(`${origin}/.well-known/smart-configuration`)).json();
    expect(config.authorization_endpoint).toBe(`${origin}/auth/authorize`);
    expect(config.token_endpoint).toBe(`${origin}/auth/token`);
    expect(config.code_challenge_methods_supported).toEqual(['S256']);
    expect(config.capabilities).toEqual(expect.arrayContaining(['launch-standalone', 'client-public', 'context-standalone-patient', 'permission-patient', 'permission-v1', 'permission-v2']));
    expect(config.scopes_supported).toEqual(expect.arrayContaining(['patient/*.read', 'patient/*.rs', 'launch/patient', 'offline_access']));
  });

  it('should show a self-contained sign-in form carrying the OAuth parameters', async () => {
    const { params } = authorizeParams(server.url);
    const res = await fetch(`${origin}/auth/authorize?${params}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('name="password"');
    expect(html).toContain(`name="code_challenge" value="${params.get('code_challenge')}"`);
    expect(html).not.toMatch(/<(script|link)\b|src=/);
  });

  it('should exchange the code for a token bound to the member, with a refresh token for offline_access', async () => {
    const code = await signIn(origin, server.url, me.username, me.password);
    const reply = await exchangeCode(origin, code);
    expect(reply.body).toMatchObject({ token_type: 'Bearer', patient: me.patientId, scope: SCOPE, expires_in: 60 });
    const refreshed = await postToken(origin, { grant_type: 'refresh_token', refresh_token: reply.body.refresh_token, client_id: 'any-test-app' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.patient).toBe(me.patientId);
    expect((await fhir(`${server.url}/Patient/${me.patientId}`, { token: refreshed.body.access_token })).status).toBe(200);
  });

  it("should find only the member's own EOBs, and refuse (403) a search that names another member", async () => {
    const own = await fhir<Bundle>(`${server.url}/ExplanationOfBenefit?_count=1000`, { token });
    expect(own.status).toBe(200);
    const ids = (own.body.entry ?? []).map((e) => e.resource?.id).sort();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(eobsOf(me.patientId).map((r) => r.id).sort());
    expect(own.body.total).toBe(ids.length);
    for (const query of [`ExplanationOfBenefit?patient=${other.patientId}`, `ExplanationOfBenefit?patient=Patient/${other.patientId}`, `Coverage?beneficiary=${other.patientId}`, `Patient?_id=${other.patientId}`, `Patient/${other.patientId}/ExplanationOfBenefit`]) {
      const others = await fhir(`${server.url}/${query}`, { token });
      expect(others.status, query).toBe(403);
      expect(others.body.issue[0].code).toBe('forbidden');
    }
    const posted = await fetch(`${server.url}/ExplanationOfBenefit/_search`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `patient=${other.patientId}` });
    expect(posted.status).toBe(403);
    expect((await fhir(`${server.url}/ExplanationOfBenefit?patient=${me.patientId}`, { token })).status).toBe(200);
    expect((await fhir<Bundle>(`${server.url}/Patient/${me.patientId}/ExplanationOfBenefit`, { token })).body.total).toBe(ids.length);
    const coverage = await fhir<Bundle>(`${server.url}/Coverage`, { token });
    expect(coverage.body.entry?.every((e) => (e.resource as { beneficiary?: { reference?: string } }).beneficiary?.reference === `Patient/${me.patientId}`)).toBe(true);
  });

  it('should include only resources the member may see, and let the directory they point to be read', async () => {
    const reply = await fhir<Bundle>(`${server.url}/ExplanationOfBenefit?_include=*&_count=5`, { token });
    const included = (reply.body.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource!);
    expect(included.some((r) => r.resourceType === 'Organization')).toBe(true);
    expect(included.filter((r) => r.resourceType === 'Patient' || r.resourceType === 'Coverage').every((r) => JSON.stringify(r).includes(me.patientId))).toBe(true);
    const organization = included.find((r) => r.resourceType === 'Organization')!;
    expect((await fhir(`${server.url}/Organization/${organization.id}`, { token })).status).toBe(200);
    const revinclude = await fhir<Bundle>(`${server.url}/Patient?_revinclude=ExplanationOfBenefit:patient`, { token });
    expect(new Set(revinclude.body.entry?.map((e) => e.resource?.resourceType === 'Patient' ? e.resource.id : (e.resource as ExplanationOfBenefit).patient.reference))).toEqual(
      new Set([me.patientId, `Patient/${me.patientId}`]),
    );
  });

  it("should read the member's own Patient and $everything, and refuse another member's", async () => {
    expect((await fhir(`${server.url}/Patient/${me.patientId}`, { token })).status).toBe(200);
    const everything = await fhir<Bundle>(`${server.url}/Patient/${me.patientId}/$everything`, { token });
    expect(everything.status).toBe(200);
    expect(everything.body.entry?.length).toBeGreaterThan(1);
    expect((await fhir(`${server.url}/Patient/${other.patientId}`, { token })).status).toBe(403);
    expect((await fhir(`${server.url}/Patient/${other.patientId}/$everything`, { token })).status).toBe(403);
    expect((await fhir(`${server.url}/ExplanationOfBenefit/${eobsOf(other.patientId)[0]!.id}`, { token })).status).toBe(403);
    expect((await fhir(`${server.url}/Patient/${other.patientId}/_history`, { token })).status).toBe(403);
  });

  it('should refuse writes, system-level requests and requests without a token', async () => {
    const patient = (await fhir(`${server.url}/Patient/${me.patientId}`, { token })).body;
    expect((await fhir(`${server.url}/Patient/${me.patientId}`, { method: 'PUT', body: patient, token })).status).toBe(403);
    expect((await fhir(`${server.url}/Observation`, { method: 'POST', body: { resourceType: 'Observation', status: 'final', code: { text: 'x' } }, token })).status).toBe(403);
    expect((await fhir(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: [] }, token })).status).toBe(403);
    expect((await fhir(`${server.url}/$export`, { token })).status).toBe(403);
    expect((await fhir(`${server.url}/Questionnaire`, { token })).status).toBe(403);
    expect((await fhir(`${server.url}/ExplanationOfBenefit`)).status).toBe(401);
  });

  it('should re-show the form with 401 on a wrong password or unknown user, the same message for both', async () => {
    const wrongPassword = await postCredentials(origin, server.url, me.username, 'not-the-password');
    const unknownUser = await postCredentials(origin, server.url, 'nobody', me.password);
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    const message = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
    expect(message(wrongPassword.html)).toBeDefined();
    expect(message(wrongPassword.html)).toBe(message(unknownUser.html));
  });

  it('should refuse a reused code, a wrong code_verifier and another redirect_uri', async () => {
    const code = await signIn(origin, server.url, me.username, me.password);
    expect((await exchangeCode(origin, code)).status).toBe(200);
    const reused = await exchangeCode(origin, code);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    const second = await signIn(origin, server.url, me.username, me.password);
    expect((await exchangeCode(origin, second, { code_verifier: 'x'.repeat(50) })).body.error).toBe('invalid_grant');
    const third = await signIn(origin, server.url, me.username, me.password);
    expect((await exchangeCode(origin, third, { redirect_uri: 'https://elsewhere.example/cb' })).body.error).toBe('invalid_grant');
  });

  it('should take localhost for 127.0.0.1 in aud when serving on loopback', async () => {
    const aud = server.url.replace('127.0.0.1', 'localhost');
    expect(aud).not.toBe(server.url);
    const code = await signIn(origin, server.url, me.username, me.password, { aud });
    expect((await exchangeCode(origin, code)).status).toBe(200);
  });

  it('should redirect with an OAuth error when aud is not the FHIR base or PKCE is missing', async () => {
    const overrides: Record<string, string>[] = [{ aud: 'https://elsewhere.example/fhir' }, { code_challenge_method: 'plain' }];
    for (const override of overrides) {
      const { params } = authorizeParams(server.url, override);
      const res = await fetch(`${origin}/auth/authorize?${params}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe(params.get('state'));
    }
  });

  it('should limit a token whose scopes name one type to that type (and the directory)', async () => {
    const code = await signIn(origin, server.url, me.username, me.password, { scope: 'launch/patient patient/ExplanationOfBenefit.rs bogus/scope' });
    const reply = await exchangeCode(origin, code);
    expect(reply.body.scope).toBe('launch/patient patient/ExplanationOfBenefit.rs');
    const eobOnly = reply.body.access_token as string;
    expect((await fhir(`${server.url}/ExplanationOfBenefit`, { token: eobOnly })).status).toBe(200);
    expect((await fhir(`${server.url}/Coverage`, { token: eobOnly })).status).toBe(403);
    expect((await fhir(`${server.url}/Patient/${me.patientId}/$everything`, { token: eobOnly })).status).toBe(403);
  });

  it('should be a one-line UserError when the directory has no test-accounts.json', async () => {
    const empty = tempDir('fhirseed-serve-patient-empty-');
    try {
      await expect(startServer({ port: 0, dir: empty.dir, auth: { mode: 'smart-patient' } })).rejects.toThrow(UserError);
    } finally {
      empty.cleanup();
    }
  });

  it('should print two members and a sign-in link from `fhirseed serve DIR --auth smart-patient`', async () => {
    // A store of its own: this file's in-process server holds the directory's (one serve per store).
    const store = tempDir('fhirseed-patient-auth-store-');
    const run = await runCliChild(['serve', temp.dir, '--port', '0', '--auth', 'smart-patient', '--store', join(store.dir, 'store.sqlite')]);
    const stdout = run.stdout();
    expect(stdout).toContain(`username ${accounts[0]!.username}, password ${accounts[0]!.password}`);
    expect(stdout).toContain(`username ${accounts[1]!.username}, password ${accounts[1]!.password}`);
    const link = /(http:\/\/\S+\/auth\/authorize\?\S+)/.exec(stdout)?.[1];
    const res = await fetch(link!);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="username"');
    await run.stop();
    store.cleanup();
  }, 90_000);
});

describeEmbedded('start: --auth smart-patient', () => {
  const temp = tempDir('fhirseed-start-patient-');
  beforeAll(() => void generateTo(temp.dir, { ...shippedProfile('default'), members: 2 }));
  afterAll(() => temp.cleanup());

  it('should print the members\' sign-ins and the authorize link for an existing population', async () => {
    const run = await runCliChild(['start', '--out', temp.dir, '--port', '0', '--auth', 'smart-patient']);
    const stdout = run.stdout();
    expect(stdout.match(/username \S+, password fs-/g)).toHaveLength(2);
    expect(stdout).toMatch(/\/auth\/authorize\?response_type=code&client_id=fhirseed-test-client&/);
    await run.stop();
  }, 90_000);
});

async function postToken(origin: string, form: Record<string, string>) {
  const res = await fetch(`${origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() };
}

async function postCredentials(origin: string, base: string, username: string, password: string) {
  const { params } = authorizeParams(base);
  params.set('username', username);
  params.set('password', password);
  const res = await fetch(`${origin}/auth/authorize`, { method: 'POST', body: params, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

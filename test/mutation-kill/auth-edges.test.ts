import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SandboxAuth } from '../../src/serve/auth.js';
import { TokenStore } from '../../src/serve/oauth/tokens.js';

/**
 * The survivors of the full Stryker run of src/serve/auth.ts, patient-auth.ts and oauth/tokens.ts (issue 19, see
 * docs/mutation-testing.md), one rule each: how the Authorization header is read (anchored, any run of spaces),
 * the answers to missing form parameters, what introspection says of each kind of token, revocation's verdicts,
 * the sweep of expired tokens, and the patient launch's edge inputs.
 */
const TOKEN_ENDPOINT = 'http://127.0.0.1:9/auth/token';
const ENDPOINTS = [TOKEN_ENDPOINT];
const BASE = 'http://127.0.0.1:8080/fhir';
const REDIRECT = 'https://app.example/callback';
const VERIFIER = 'w'.repeat(50);
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const T0 = Date.parse('2026-03-01T00:00:00Z');

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const b64 = (text: string) => Buffer.from(text).toString('base64');
const oauth = (status: number, error: string, description: string) => ({ status, body: { error, error_description: description } });

function clock(start = T0) {
  let now = start;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

function patientSandbox(extra: { now?: () => number; members?: { username: string; password: string; patientId: string }[]; registration?: boolean } = {}): SandboxAuth {
  return new SandboxAuth({
    mode: 'smart-patient',
    members: extra.members ?? [{ username: 'ann', password: 'pw-ann', patientId: 'ann-1' }],
    clients: [{ clientId: 'confidential', secret: 'c-secret' }],
    tokenLifetimeSeconds: 120,
    refreshTokenLifetimeSeconds: 600,
    ...(extra.now ? { now: extra.now } : {}),
    ...(extra.registration ? { registration: { mode: 'open' as const } } : {}),
  });
}

function authorizeParams(overrides: Record<string, string | undefined> = {}): URLSearchParams {
  const all: Record<string, string | undefined> = {
    response_type: 'code', client_id: 'app', redirect_uri: REDIRECT, scope: 'patient/*.read offline_access', state: 's',
    aud: BASE, code_challenge: CHALLENGE, code_challenge_method: 'S256', username: 'ann', password: 'pw-ann', ...overrides,
  };
  return new URLSearchParams(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

function codeFrom(auth: SandboxAuth, overrides: Record<string, string | undefined> = {}): string {
  const reply = auth.authorize('POST', authorizeParams(overrides), BASE)!;
  expect(reply.status, reply.body).toBe(302);
  const code = new URL(reply.headers.location!).searchParams.get('code');
  expect(code).toBeTruthy();
  return code!;
}

const exchangeForm = (code: string, client_id = 'app') => form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER, client_id });

describe('SandboxAuth: the Authorization header, read whole', () => {
  it('should give the patient grant only for "Bearer", any run of spaces, then the whole token', async () => {
    const auth = patientSandbox();
    const token = String((await auth.token(exchangeForm(codeFrom(auth)), undefined, TOKEN_ENDPOINT)).body.access_token);
    const grant = { patient: 'ann-1', scope: 'patient/*.read offline_access', types: '*' };
    for (const ok of [`Bearer ${token}`, `bearer   ${token}`, `Bearer\t\t${token}`]) expect(auth.patientGrant(ok), ok).toEqual(grant);
    for (const no of [`xBearer ${token}`, `Token Bearer ${token}`, `Bearer ${token} extra`, `Bearer${token}`, undefined]) expect(auth.patientGrant(no), String(no)).toBeUndefined();
  });

  it('should read client_secret_basic only from a header that is "Basic", any run of spaces, then the credentials', async () => {
    const auth = new SandboxAuth({ mode: 'smart-backend', clients: [{ clientId: 'app', secret: 'pw' }] });
    const credentials = b64('app:pw');
    for (const ok of [`Basic ${credentials}`, `basic   ${credentials}`]) expect((await auth.token(form({ grant_type: 'client_credentials' }), ok, TOKEN_ENDPOINT)).status, ok).toBe(200);
    const none = oauth(401, 'invalid_client', 'no client authentication (use client_secret_basic, client_secret_post or private_key_jwt)');
    for (const no of [`xBasic ${credentials}`, `Basic ${credentials} extra`]) expect(await auth.token(form({ grant_type: 'client_credentials' }), no, TOKEN_ENDPOINT), no).toEqual(none);
    // A header that is not Basic leaves the form's credentials to speak.
    expect((await auth.token(form({ grant_type: 'client_credentials', client_id: 'app', client_secret: 'pw' }), `NotBasic ${b64('app:wrong')}`, TOKEN_ENDPOINT)).status).toBe(200);
  });

  it('should introspect with a bearer token only when the header starts with "Bearer ", otherwise with the form client', async () => {
    const auth = new SandboxAuth({ mode: 'smart-backend', clients: [{ clientId: 'app', secret: 'pw' }] });
    const token = String((await auth.token(form({ grant_type: 'client_credentials', client_id: 'app', client_secret: 'pw' }), undefined, TOKEN_ENDPOINT)).body.access_token);
    const reply = await auth.introspect(form({ token, client_id: 'app', client_secret: 'pw' }), 'NotBearer nothing', ENDPOINTS);
    expect(reply.status).toBe(200);
    expect(reply.body.active).toBe(true);
  });

  it('should take the patient launch client by Basic only from a header that is "Basic", any run of spaces, then the credentials', async () => {
    const auth = patientSandbox();
    const confidential = b64('confidential:c-secret');
    for (const ok of [`Basic ${confidential}`, `BASIC  ${confidential}`]) {
      const reply = await auth.token(exchangeForm(codeFrom(auth, { client_id: 'confidential' }), ''), ok, TOKEN_ENDPOINT);
      expect(reply.status, ok).toBe(200);
      expect(reply.body.patient).toBe('ann-1');
    }
    // Not Basic: the client is the form's client_id, which then has to give its secret in the form.
    for (const no of [`xBasic ${confidential}`, `Basic ${confidential} extra`]) {
      expect(await auth.token(exchangeForm('any', 'confidential'), no, TOKEN_ENDPOINT), no).toEqual(oauth(401, 'invalid_client', 'client confidential is confidential: wrong or missing client secret'));
    }
  });
});

describe('SandboxAuth: missing parameters are invalid_request, named', () => {
  it('should ask smart-backend for grant_type before anything else', async () => {
    const auth = new SandboxAuth({ mode: 'smart-backend', clients: [{ clientId: 'app', secret: 'pw' }] });
    expect(await auth.token(form({ client_id: 'app', client_secret: 'pw' }), undefined, TOKEN_ENDPOINT)).toEqual(oauth(400, 'invalid_request', 'grant_type is required (client_credentials)'));
  });

  it('should ask the patient launch for grant_type, refresh_token and each missing code parameter', async () => {
    const auth = patientSandbox();
    const token = (fields: Record<string, string>) => auth.token(form({ client_id: 'app', ...fields }), undefined, TOKEN_ENDPOINT);
    expect(await token({})).toEqual(oauth(400, 'invalid_request', 'grant_type is required (authorization_code or refresh_token)'));
    expect(await token({ grant_type: 'refresh_token' })).toEqual(oauth(400, 'invalid_request', 'refresh_token is required for grant_type refresh_token'));
    const code = { grant_type: 'authorization_code', code: codeFrom(auth), redirect_uri: REDIRECT, code_verifier: VERIFIER };
    const without = (...names: string[]) => Object.fromEntries(Object.entries(code).filter(([k]) => !names.includes(k)));
    expect(await token(without('code'))).toEqual(oauth(400, 'invalid_request', 'code is required for grant_type authorization_code'));
    expect(await token(without('code_verifier'))).toEqual(oauth(400, 'invalid_request', 'code_verifier is required for grant_type authorization_code'));
    expect(await token(without('code', 'redirect_uri'))).toEqual(oauth(400, 'invalid_request', 'code, redirect_uri are required for grant_type authorization_code'));
    expect(await token(without('code', 'redirect_uri', 'code_verifier'))).toEqual(oauth(400, 'invalid_request', 'code, redirect_uri, code_verifier are required for grant_type authorization_code'));
    // None of those refusals used up the code.
    expect((await token(code)).status).toBe(200);
  });
});

describe('SandboxAuth: clients and members', () => {
  it('should tell its mode', () => {
    for (const mode of ['none', 'bearer', 'smart-backend', 'smart-patient'] as const) expect(new SandboxAuth({ mode, members: [] }).mode).toBe(mode);
  });

  it('should answer with no client configured at all: unknown client, not a crash', async () => {
    const auth = new SandboxAuth({ mode: 'smart-backend' });
    expect(await auth.token(form({ grant_type: 'client_credentials' }), `Basic ${b64('app:pw')}`, TOKEN_ENDPOINT)).toEqual(oauth(401, 'invalid_client', 'unknown client or client without a secret: app'));
  });

  it('should refuse every sign-in when smart-patient has no members', () => {
    const auth = new SandboxAuth({ mode: 'smart-patient' });
    const reply = auth.authorize('POST', authorizeParams(), BASE)!;
    expect(reply.status).toBe(401);
    expect(reply.body).toContain('The username or password is not right.');
  });

  it('should read a left-out username or password field as empty, as a browser sends an empty one', () => {
    const auth = patientSandbox({ members: [{ username: '', password: '', patientId: 'blank-1' }] });
    expect(auth.authorize('POST', authorizeParams({ username: undefined, password: undefined }), BASE)!.status).toBe(302);
    expect(auth.authorize('POST', authorizeParams({ username: '', password: undefined }), BASE)!.status).toBe(302);
    expect(auth.authorize('POST', authorizeParams({ username: undefined, password: 'x' }), BASE)!.status).toBe(401);
  });

  it('should redirect with a Location and an empty body', () => {
    const reply = patientSandbox().authorize('POST', authorizeParams({ response_type: 'token' }), BASE);
    expect(reply).toEqual({ status: 302, headers: { location: `${REDIRECT}?error=unsupported_response_type&error_description=response_type+must+be+code&state=s` }, body: '' });
  });

  it("should hold a registered app to the redirect URIs it registered", async () => {
    const auth = patientSandbox({ registration: true });
    const { client } = await auth.registry!.register({ grant_types: ['authorization_code'], token_endpoint_auth_method: 'none', redirect_uris: ['https://registered.example/cb'] });
    const page = auth.authorize('GET', authorizeParams({ client_id: client.client_id }), BASE)!;
    expect(page.status).toBe(400);
    expect(page.body).toContain('its redirect_uri is not one the app registered');
    expect(auth.authorize('GET', authorizeParams({ client_id: client.client_id, redirect_uri: 'https://registered.example/cb' }), BASE)!.status).toBe(200);
  });
});

describe('TokenStore: introspection, revocation, lifetimes and the sweep', () => {
  it('should introspect an access token and a refresh token, each with its kind, times in seconds and subject', () => {
    const time = clock(T0 + 999);
    const store = new TokenStore({ access: 120, refresh: 600 }, time.now);
    const grant = { patient: 'ann-1', scope: 'patient/*.read offline_access', types: '*' as const };
    const access = store.issueAccess('app', grant.scope, grant).token;
    const refresh = store.issueRefresh('app', grant.scope, grant);
    const system = store.issueAccess('backend', 'system/*.read').token;
    const iat = Math.floor((T0 + 999) / 1000);
    expect(store.introspect(access)).toEqual({ active: true, client_id: 'app', scope: grant.scope, token_type: 'Bearer', iat, exp: iat + 120, patient: 'ann-1', sub: 'Patient/ann-1' });
    expect(store.introspect(refresh)).toEqual({ active: true, client_id: 'app', scope: grant.scope, token_type: 'refresh_token', iat, exp: iat + 600, patient: 'ann-1', sub: 'Patient/ann-1' });
    expect(store.introspect(system)).toEqual({ active: true, client_id: 'backend', scope: 'system/*.read', token_type: 'Bearer', iat, exp: iat + 120, sub: 'backend' });
  });

  it('should give refresh tokens their own lifetime, longer than the access tokens\'', async () => {
    const time = clock();
    const auth = patientSandbox({ now: time.now });
    const first = await auth.token(exchangeForm(codeFrom(auth)), undefined, TOKEN_ENDPOINT);
    time.advance(300);
    expect(auth.rejection(`Bearer ${String(first.body.access_token)}`)).toMatch(/^expired/);
    const again = await auth.token(form({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), client_id: 'app' }), undefined, TOKEN_ENDPOINT);
    expect(again.status).toBe(200);
  });

  it('should say whether it revoked, did not know, or left alone a token of another client', () => {
    const store = new TokenStore({ access: 60, refresh: 600 });
    const { token } = store.issueAccess('app', 'system/*.read');
    expect(store.revoke(token, 'other')).toBe('other-client');
    expect(store.revoke('never-issued', 'app')).toBe('unknown');
    expect(store.revoke(token, 'app')).toBe('revoked');
    expect(store.revoke(token, 'app')).toBe('unknown');
  });

  it('should forget an expired token exactly an hour after its end, at a sweep, and sweep at most once a minute', () => {
    let now = T0;
    const at = (seconds: number) => (now = T0 + seconds * 1000);
    const store = new TokenStore({ access: 2, refresh: 600 }, () => now);
    const first = store.issueAccess('app', 's').token; // ends at 2 s, forgettable from 3,602 s
    at(3602);
    const second = store.issueAccess('app', 's').token; // sweeps (the last sweep was at 0 s); ends at 3,604 s
    expect(store.lookup(first, 'access')).toEqual({ ok: false, reason: 'unknown' });
    at(7180);
    store.issueAccess('app', 's'); // sweeps; `second` is forgettable only from 7,204 s
    at(7210);
    store.issueAccess('app', 's'); // within a minute of the last sweep: no sweep
    expect(store.lookup(second, 'access')).toEqual({ ok: false, reason: 'expired' });
    at(7240);
    store.issueAccess('app', 's'); // a minute after it: sweeps
    expect(store.lookup(second, 'access')).toEqual({ ok: false, reason: 'unknown' });
  });
});

import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SandboxAuth } from '../../src/serve/auth.js';

/**
 * The SMART standalone patient launch (src/serve/patient-auth.ts) rule by rule, on SandboxAuth in smart-patient
 * mode (issue 19: no surviving mutant in the serve auth code): each case breaks one thing an app or a member can
 * get wrong. The HTTP round trip is covered by test/serve/patient-auth.test.ts and token-expiry.test.ts.
 */
const BASE = 'http://127.0.0.1:8080/fhir';
const REDIRECT = 'https://app.example/callback';
const VERIFIER = 'v'.repeat(50);
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const ANN = { username: 'Ann.Lee', password: 'pw-ann', patientId: 'ann-1' };
const BOB = { username: 'bob', password: 'pw-bob', patientId: 'bob-2' };

afterEach(() => vi.useRealTimers());

function sandbox(options: { now?: () => number; registration?: boolean } = {}): SandboxAuth {
  return new SandboxAuth({
    mode: 'smart-patient',
    members: [ANN, BOB],
    clients: [{ clientId: 'confidential', secret: 'c-secret' }, { clientId: 'strict', redirectUris: ['https://strict.example/cb'] }],
    tokenLifetimeSeconds: 120,
    refreshTokenLifetimeSeconds: 600,
    ...(options.now ? { now: options.now } : {}),
    ...(options.registration ? { registration: { mode: 'open' as const } } : {}),
  });
}

function params(overrides: Record<string, string | undefined> = {}): URLSearchParams {
  const all: Record<string, string | undefined> = {
    response_type: 'code', client_id: 'app', redirect_uri: REDIRECT, scope: 'launch/patient patient/*.read offline_access',
    state: 'st-1', aud: BASE, code_challenge: CHALLENGE, code_challenge_method: 'S256', username: ANN.username, password: ANN.password, ...overrides,
  };
  return new URLSearchParams(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The redirect's query, or the page's status when the answer is not a redirect. */
function redirected(reply: { status: number; headers: Record<string, string> } | undefined): Record<string, string> {
  expect(reply?.status).toBe(302);
  const url = new URL(reply!.headers.location!);
  return { at: `${url.origin}${url.pathname}`, ...Object.fromEntries(url.searchParams) };
}

function signIn(auth: SandboxAuth, overrides: Record<string, string | undefined> = {}): string {
  const answer = redirected(auth.authorize('POST', params(overrides), BASE));
  expect(answer.code, JSON.stringify(answer)).toBeTruthy();
  return answer.code!;
}

const exchange = (auth: SandboxAuth, code: string, overrides: Record<string, string | undefined> = {}, authorization?: string) =>
  auth.token(params({ username: undefined, password: undefined, grant_type: 'authorization_code', code, code_verifier: VERIFIER, ...overrides }), authorization, 'unused');

describe('patient launch: the authorize endpoint', () => {
  it('should show the broken-link page (400, no form) without an absolute http(s) redirect_uri or a client_id', async () => {
    const auth = sandbox();
    for (const redirect_uri of [undefined, '', 'ftp://app.example/cb', 'http:///cb', '/callback', 'javascript:alert(1)', 'xhttps://app.example/cb']) {
      const page = auth.authorize('GET', params({ redirect_uri }), BASE)!;
      expect(page.status, String(redirect_uri)).toBe(400);
      expect(page.body).toContain('it needs a client_id and an absolute http(s) redirect_uri');
      expect(page.body).not.toContain('<form');
    }
    expect(auth.authorize('GET', params({ client_id: undefined }), BASE)!.status).toBe(400);
    expect(auth.authorize('GET', params({ client_id: '' }), BASE)!.status).toBe(400);
    for (const redirect_uri of ['HTTPS://APP.EXAMPLE/cb', 'http://localhost:3000/cb']) expect(auth.authorize('GET', params({ redirect_uri }), BASE)!.status, redirect_uri).toBe(200);
  });

  it("should hold a client that registered redirect URIs to them", async () => {
    const auth = sandbox();
    const page = auth.authorize('GET', params({ client_id: 'strict' }), BASE)!;
    expect(page.status).toBe(400);
    expect(page.body).toContain('its redirect_uri is not one the app registered');
    expect(page.body).not.toContain('<form');
    expect(auth.authorize('GET', params({ client_id: 'strict', redirect_uri: 'https://strict.example/cb' }), BASE)!.status).toBe(200);
  });

  it('should redirect back with the OAuth error and the state for a bad response_type, aud, PKCE or scope', async () => {
    const auth = sandbox();
    const cases: [Record<string, string | undefined>, string, RegExp][] = [
      [{ response_type: 'token' }, 'unsupported_response_type', /^response_type must be code$/],
      [{ response_type: undefined }, 'unsupported_response_type', /response_type/],
      [{ aud: 'https://elsewhere.example/fhir' }, 'invalid_request', /^aud must be the FHIR base URL http:\/\/127\.0\.0\.1:8080\/fhir$/],
      [{ aud: undefined }, 'invalid_request', /^aud must be/],
      [{ code_challenge: undefined }, 'invalid_request', /^PKCE is required: code_challenge with code_challenge_method=S256$/],
      [{ code_challenge: '' }, 'invalid_request', /^PKCE/],
      [{ code_challenge_method: 'plain' }, 'invalid_request', /^PKCE/],
      [{ code_challenge_method: undefined }, 'invalid_request', /^PKCE/],
      [{ scope: 'openid fhirUser launch/patient offline_access' }, 'invalid_scope', /^scope must include a patient scope, e\.g\. patient\/\*\.read or patient\/\*\.rs$/],
      [{ scope: undefined }, 'invalid_scope', /patient scope/],
    ];
    for (const [override, error, description] of cases) {
      for (const method of ['GET', 'POST']) {
        const answer = redirected(auth.authorize(method, params(override), BASE));
        expect(answer, JSON.stringify(override)).toEqual({ at: REDIRECT, error, error_description: expect.stringMatching(description), state: 'st-1' });
      }
    }
    // Without a state, none is sent back.
    expect(redirected(auth.authorize('GET', params({ state: undefined, response_type: 'token' }), BASE))).not.toHaveProperty('state');
  });

  it('should take the FHIR base with trailing slashes, and any loopback name for a loopback base, on the same port, scheme and path', async () => {
    const auth = sandbox();
    const ok = (aud: string, base = BASE) => auth.authorize('GET', params({ aud }), base)!.status === 200;
    expect(ok(`${BASE}/`)).toBe(true);
    expect(ok(`${BASE}//`)).toBe(true);
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      expect(ok(`http://${host}:8080/fhir`), host).toBe(true);
      expect(ok(`http://${host}:8080/fhir`, 'http://localhost:8080/fhir'), host).toBe(true);
      expect(ok(`http://${host}:8080/fhir`, 'http://[::1]:8080/fhir'), host).toBe(true);
    }
    expect(ok('http://localhost:8081/fhir')).toBe(false);
    expect(ok('https://localhost:8080/fhir')).toBe(false);
    expect(ok('http://localhost:8080/other')).toBe(false);
    expect(ok('http://localhost:8080/fhir/Patient')).toBe(false);
    expect(ok('http://example.org:8080/fhir')).toBe(false);
    expect(ok('http://example.org:8080/fhir', 'http://example.org:8080/fhir')).toBe(true);
    expect(ok('http://localhost:8080/fhir', 'http://example.org:8080/fhir')).toBe(false);
    expect(ok('http://example.org:8080/fhir', 'http://localhost:8080/fhir')).toBe(false);
    expect(ok('not a url')).toBe(false);
    expect(ok('http://localhost:8080/fhir', 'not a url')).toBe(false);
  });

  it('should show the form on GET, and on POST check the member case-insensitively, trimmed, with the exact password', async () => {
    const auth = sandbox();
    const form = auth.authorize('GET', params(), BASE)!;
    expect(form.status).toBe(200);
    expect(form.body).toContain('<form');
    expect(form.body).not.toContain('role="alert"');
    for (const username of ['Ann.Lee', 'ann.lee', ' ANN.LEE  ']) expect(redirected(auth.authorize('POST', params({ username }), BASE)).code, username).toBeTruthy();
    for (const [username, password] of [['Ann.Lee', 'pw-an'], ['Ann.Lee', 'pw-ann '], ['Ann.Lee', ''], ['nobody', 'pw-ann'], ['', ''], ['bob', 'pw-ann']]) {
      const page = auth.authorize('POST', params({ username, password }), BASE)!;
      expect(page.status, `${username}/${password}`).toBe(401);
      expect(page.body).toContain('The username or password is not right.');
      expect(page.body).toContain('<form');
    }
    expect(auth.authorize('POST', params({ username: undefined, password: undefined }), BASE)!.status).toBe(401);
  });

  it('should redirect to the redirect_uri with a fresh code and the state', async () => {
    const auth = sandbox();
    const first = redirected(auth.authorize('POST', params(), BASE));
    const second = redirected(auth.authorize('POST', params({ state: undefined }), BASE));
    expect(first).toEqual({ at: REDIRECT, code: expect.stringMatching(/^[\w-]{32}$/), state: 'st-1' });
    expect(Object.keys(second)).toEqual(['at', 'code']);
    expect(second.code).not.toBe(first.code);
  });
});

describe('patient launch: scopes', () => {
  it('should grant the patient scopes asked for (read, rs, r on * or one type) and the launch scopes, once each, and nothing else', async () => {
    const auth = sandbox();
    const granted = async (scope: string) => (await exchange(auth, signIn(auth, { scope }))).body.scope;
    expect(await granted('patient/*.read')).toBe('patient/*.read');
    expect(await granted('openid fhirUser launch/patient offline_access patient/Observation.r  patient/Coverage.rs patient/Patient.read')).toBe(
      'openid fhirUser launch/patient offline_access patient/Observation.r patient/Coverage.rs patient/Patient.read',
    );
    expect(await granted('patient/*.read patient/*.read launch/patient launch/patient')).toBe('patient/*.read launch/patient');
    for (const refused of ['patient/observation.read', 'patient/*.write', 'patient/*.cruds', 'user/*.read', 'system/*.read', 'xpatient/*.read', 'patient/*.reads', 'patient/Observation.rs/x', 'patient/O.read', 'launch', 'fhiruser']) {
      expect(await granted(`${refused} patient/Coverage.read`), refused).toBe('patient/Coverage.read');
    }
    expect(await granted('patient/Ab.read')).toBe('patient/Ab.read');
  });

  it('should open every type for patient/*, and only the named ones otherwise', async () => {
    const auth = sandbox();
    const grant = async (scope: string) => auth.patientGrant(`Bearer ${(await exchange(auth, signIn(auth, { scope }))).body.access_token}`);
    expect(await grant('patient/*.read patient/Coverage.read')).toEqual({ patient: 'ann-1', scope: 'patient/*.read patient/Coverage.read', types: '*' });
    expect(await grant('patient/Coverage.read patient/ExplanationOfBenefit.rs')).toEqual({ patient: 'ann-1', scope: 'patient/Coverage.read patient/ExplanationOfBenefit.rs', types: new Set(['Coverage', 'ExplanationOfBenefit']) });
    expect(auth.patientGrant(undefined)).toBeUndefined();
    expect(auth.patientGrant('Bearer never-issued')).toBeUndefined();
    expect(auth.patientGrant('Basic x')).toBeUndefined();
  });
});

describe('patient launch: the token endpoint', () => {
  it('should exchange a code once for a Bearer token bound to the member, with a refresh token only for offline_access', async () => {
    const auth = sandbox();
    const reply = await exchange(auth, signIn(auth));
    expect(reply).toEqual({
      status: 200,
      body: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 120, scope: 'launch/patient patient/*.read offline_access', patient: 'ann-1', need_patient_banner: true, refresh_token: expect.any(String) },
    });
    expect(auth.patientGrant(`bearer ${reply.body.access_token}`)?.patient).toBe('ann-1');
    const online = await exchange(auth, signIn(auth, { scope: 'patient/*.read', username: 'bob', password: 'pw-bob' }));
    expect(online.body).not.toHaveProperty('refresh_token');
    expect(online.body.patient).toBe('bob-2');
  });

  it('should refuse a used, unknown or expired code, another client, another redirect_uri and a wrong verifier', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-03-01T00:00:00Z'));
    const auth = sandbox();
    const invalid = (description: string) => ({ status: 400, body: { error: 'invalid_grant', error_description: description } });
    const code = signIn(auth);
    expect((await exchange(auth, code)).status).toBe(200);
    // Used: refused, and its tokens revoked (RFC 6749 §4.1.2); a third time it is unknown.
    expect(await exchange(auth, code)).toEqual(invalid('the code was already exchanged for tokens; a replay ends the sign-in, every token issued for it is revoked: sign in again'));
    expect(await exchange(auth, code)).toEqual(invalid('unknown, used or expired code'));
    expect(await exchange(auth, 'made-up')).toEqual(invalid('unknown, used or expired code'));
    // A code lives 60 s: usable a millisecond before, not at the 60th second.
    const late = signIn(auth);
    vi.setSystemTime(Date.now() + 60_000);
    expect(await exchange(auth, late)).toEqual(invalid('unknown, used or expired code'));
    const early = signIn(auth);
    vi.setSystemTime(Date.now() + 59_999);
    expect((await exchange(auth, early)).status).toBe(200);
    const other = signIn(auth);
    expect(await exchange(auth, other, { client_id: 'another-app' })).toEqual(invalid('the code was issued to another client_id'));
    // A refused exchange uses the code up too.
    expect(await exchange(auth, other)).toEqual(invalid('unknown, used or expired code'));
    expect(await exchange(auth, signIn(auth), { redirect_uri: 'https://app.example/other' })).toEqual(invalid('redirect_uri differs from the one at /auth/authorize'));
    expect(await exchange(auth, signIn(auth), { code_verifier: 'w'.repeat(50) })).toEqual(invalid('code_verifier does not match the code_challenge (S256)'));
  });

  it('should refuse grant types other than authorization_code and refresh_token (missing ones: left to the standard-errors table)', async () => {
    const auth = sandbox();
    for (const grant_type of ['client_credentials', 'password', 'authorization_code2']) {
      expect(await exchange(auth, signIn(auth), { grant_type }), String(grant_type)).toEqual({ status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant_type must be authorization_code or refresh_token' } });
    }
  });

  it('should ask a confidential client for its secret (Basic, URL-encoded, or form) and a public one for its client_id only', async () => {
    const auth = sandbox();
    const wrong = { status: 401, body: { error: 'invalid_client', error_description: 'client confidential is confidential: wrong or missing client secret' } };
    expect(await exchange(auth, signIn(auth, { client_id: 'confidential' }), { client_id: 'confidential' })).toEqual(wrong);
    expect(await exchange(auth, signIn(auth, { client_id: 'confidential' }), { client_id: 'confidential', client_secret: 'nope' })).toEqual(wrong);
    expect((await exchange(auth, signIn(auth, { client_id: 'confidential' }), { client_id: 'confidential', client_secret: 'c-secret' })).status).toBe(200);
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    expect((await exchange(auth, signIn(auth, { client_id: 'confidential' }), { client_id: undefined }, basic('confidential', 'c-secret'))).status).toBe(200);
    expect((await exchange(auth, signIn(auth, { client_id: 'confidential' }), { client_id: undefined }, basic('confidential', 'c-secre'))).status).toBe(401);
    expect(await exchange(auth, signIn(auth, { client_id: 'confidential' }), { client_id: undefined }, `Basic ${Buffer.from('confidential').toString('base64')}`)).toEqual(wrong);
    expect((await exchange(auth, signIn(auth, { client_id: 'a b' }), { client_id: undefined }, basic('a%20b', ''))).status).toBe(200);
    // Basic wins over the form's client_id.
    expect(await exchange(auth, signIn(auth), { client_id: 'app' }, basic('confidential', 'c-secret'))).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'the code was issued to another client_id' } });
    expect(await exchange(auth, signIn(auth), { client_id: undefined })).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'client_id is required' } });
    expect(await exchange(auth, signIn(auth), { client_id: undefined }, 'Basic')).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'client_id is required' } });
  });

  it('should ask a registered confidential client for its secret, compared with the stored hash', async () => {
    const auth = sandbox({ registration: true });
    const { client, secret } = await auth.registry!.register({ grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' });
    const id = client.client_id;
    expect((await exchange(auth, signIn(auth, { client_id: id }), { client_id: id, client_secret: secret! })).status).toBe(200);
    const wrong = { status: 401, body: { error: 'invalid_client', error_description: `client ${id} is confidential: wrong or missing client secret` } };
    expect(await exchange(auth, signIn(auth, { client_id: id }), { client_id: id, client_secret: `${secret}x` })).toEqual(wrong);
    expect(await exchange(auth, signIn(auth, { client_id: id }), { client_id: id })).toEqual(wrong);
    const publicClient = await auth.registry!.register({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' });
    expect((await exchange(auth, signIn(auth, { client_id: publicClient.client.client_id }), { client_id: publicClient.client.client_id })).status).toBe(200);
  });

  it('should refresh for the client that holds the refresh token until it expires, then say so', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const auth = sandbox({ now: () => now });
    const first = await exchange(auth, signIn(auth));
    const refresh = (token: unknown, client_id = 'app') => auth.token(params({ username: undefined, password: undefined, grant_type: 'refresh_token', refresh_token: String(token), client_id }), undefined, 'unused');
    const again = await refresh(first.body.refresh_token);
    expect(again).toEqual({ status: 200, body: expect.objectContaining({ patient: 'ann-1', scope: first.body.scope, token_type: 'Bearer', expires_in: 120 }) });
    expect(again.body.access_token).not.toBe(first.body.access_token);
    const invalid = { status: 400, body: { error: 'invalid_grant', error_description: 'unknown or revoked refresh_token for this client' } };
    expect(await refresh(first.body.refresh_token, 'another-app')).toEqual(invalid);
    expect(await refresh('never-issued')).toEqual(invalid);
    expect(await refresh(first.body.access_token)).toEqual(invalid);
    now += 600_000;
    expect(await refresh(first.body.refresh_token)).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'refresh_token has expired (refresh tokens live 600 s); sign in again' } });
  });
});

describe('patient launch: who calls introspection and revocation', () => {
  it('should know a public client by client_id and a confidential one by its secret', async () => {
    const auth = sandbox();
    const reply = await exchange(auth, signIn(auth));
    const token = String(reply.body.access_token);
    const endpoints = ['unused'];
    expect(await auth.introspect(new URLSearchParams({ token, client_id: 'app' }), undefined, endpoints)).toEqual({ status: 200, body: expect.objectContaining({ active: true, patient: 'ann-1', client_id: 'app' }) });
    expect(await auth.introspect(new URLSearchParams({ token }), undefined, endpoints)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'client_id is required' } });
    expect(await auth.introspect(new URLSearchParams({ token, client_id: 'confidential' }), undefined, endpoints)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'client confidential is confidential: wrong or missing client secret' } });
    expect((await auth.introspect(new URLSearchParams({ token, client_id: 'confidential', client_secret: 'c-secret' }), undefined, endpoints)).status).toBe(200);
    expect((await auth.introspect(new URLSearchParams({ token }), `Basic ${Buffer.from('confidential:c-secret').toString('base64')}`, endpoints)).status).toBe(200);
    expect(await auth.revoke(new URLSearchParams({ token, client_id: 'someone-else' }), undefined, endpoints)).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'the token was issued to another client' } });
    expect(await auth.revoke(new URLSearchParams({ token, client_id: 'app' }), undefined, endpoints)).toEqual({ status: 200, body: {} });
    expect(auth.rejection(`Bearer ${token}`)).toBe('unknown or revoked bearer token');
  });
});

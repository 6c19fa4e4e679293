import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REFRESH_SECONDS, SandboxAuth, type AuthOptions } from '../../src/serve/auth.js';
import { SYSTEM_SCOPES_SUPPORTED } from '../../src/serve/oauth/system-scopes.js';
import { PATIENT_SCOPES_SUPPORTED } from '../../src/serve/patient-auth.js';

/**
 * The sandbox's token rules one at a time (issue 19: no surviving mutant in the serve auth code), called on
 * SandboxAuth itself: each case breaks one thing a client can get wrong and checks the answer names it.
 * The HTTP routes around it are covered by test/serve/auth.test.ts, token-expiry.test.ts and registration.test.ts.
 */
const TOKEN_ENDPOINT = 'http://127.0.0.1:9/auth/token';
const INTROSPECT_ENDPOINT = 'http://127.0.0.1:9/auth/introspect';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let ec: Keys;
let rsa: Keys;
let stranger: Keys;
let ecJwk: JWK;
let rsaJwk: JWK;

/** A JWKS server for jwks_uri clients, counting its hits. */
let jwksServer: Server;
let jwksUrl: string;
let jwksHits = 0;

beforeAll(async () => {
  [ec, rsa, stranger] = await Promise.all([generateKeyPair('ES384', { extractable: true }), generateKeyPair('RS384', { extractable: true }), generateKeyPair('ES384', { extractable: true })]);
  ecJwk = { ...(await exportJWK(ec.publicKey)), alg: 'ES384' };
  rsaJwk = { ...(await exportJWK(rsa.publicKey)), alg: 'RS384' };
  jwksServer = createServer((_req, res) => {
    jwksHits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [{ ...ecJwk, kid: 'remote-1' }] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  jwksServer?.closeAllConnections();
  await new Promise<void>((r) => (jwksServer ? jwksServer.close(() => r()) : r()));
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** A client assertion, signed by `key`; `claims` and `header` override the valid defaults (undefined removes). */
async function assertion(key: Keys['privateKey'], options: { alg?: string; kid?: string; claims?: Record<string, unknown> } = {}): Promise<string> {
  const claims: Record<string, unknown> = { iss: 'backend', sub: 'backend', aud: TOKEN_ENDPOINT, exp: Math.floor(Date.now() / 1000) + 240, jti: `${Math.random()}`, ...options.claims };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'ES384', ...(options.kid ? { kid: options.kid } : {}) }).sign(key);
}
const jwtForm = (jwt: string, extra: Record<string, string> = {}) => form({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: jwt, ...extra });

/** An unsigned JWT with the header and payload given, for the cases jose would not sign. */
const rawJwt = (header: object, payload: object) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

function backend(extra: Partial<AuthOptions> = {}): SandboxAuth {
  return new SandboxAuth({
    mode: 'smart-backend',
    clients: [
      { clientId: 'backend', secret: 's3cret', jwks: { keys: [{ ...ecJwk, kid: 'ec-1' }, { ...rsaJwk, kid: 'rsa-1' }] as never } },
      { clientId: 'no-kid', jwks: { keys: [ecJwk] as never } },
      { clientId: 'twins', jwks: { keys: [ecJwk, ecJwk] as never } },
      { clientId: 'remote', jwksUri: jwksUrl },
      { clientId: 'secret-only', secret: 'pw' },
    ],
    ...extra,
  });
}

async function tokenError(auth: SandboxAuth, body: URLSearchParams, authorization?: string): Promise<string> {
  const reply = await auth.token(body, authorization, TOKEN_ENDPOINT);
  expect(reply.status, JSON.stringify(reply.body)).toBe(401);
  expect(reply.body.error).toBe('invalid_client');
  return String(reply.body.error_description);
}

describe('SandboxAuth: modes, defaults and the SMART configuration', () => {
  it('should default to access tokens of 300 s and refresh tokens of 30 days', () => {
    expect(DEFAULT_REFRESH_SECONDS).toBe(30 * 24 * 3600);
    expect(new SandboxAuth({ mode: 'smart-backend' }).tokens.lifetimes).toEqual({ access: 300, refresh: 2_592_000 });
    expect(new SandboxAuth({ mode: 'smart-backend', tokenLifetimeSeconds: 7, refreshTokenLifetimeSeconds: 9 }).tokens.lifetimes).toEqual({ access: 7, refresh: 9 });
  });

  it('should let anything through with auth none, and ask for a bearer token in the other modes', () => {
    expect(new SandboxAuth({ mode: 'none' }).rejection(undefined)).toBeUndefined();
    for (const mode of ['bearer', 'smart-backend', 'smart-patient'] as const) expect(new SandboxAuth({ mode, members: [] }).rejection(undefined)).toBe('missing bearer token');
  });

  it('should read the bearer token case-insensitively, after any run of spaces, and refuse anything else', () => {
    const auth = new SandboxAuth({ mode: 'bearer', staticTokens: ['let-me-in'] });
    expect(auth.staticTokens).toEqual(['let-me-in']);
    expect(new SandboxAuth({ mode: 'bearer' }).staticTokens).toEqual([]);
    for (const ok of ['Bearer let-me-in', 'bearer let-me-in', 'BEARER   let-me-in', 'Bearer\tlet-me-in']) expect(auth.rejection(ok), ok).toBeUndefined();
    for (const missing of ['Bearer', 'Bearer ', 'let-me-in', 'Basic let-me-in', 'xBearer let-me-in', 'Bearer let-me-in extra', 'Bearerlet-me-in']) {
      expect(auth.rejection(missing), missing).toBe('missing bearer token');
    }
    expect(auth.rejection('Bearer let-me-i')).toBe('unknown or revoked bearer token');
    expect(auth.rejection('Bearer let-me-inn')).toBe('unknown or revoked bearer token');
  });

  it('should tell an expired issued token from an unknown one, with the lifetime, and give its client only while valid', async () => {
    let now = 1_000_000;
    const auth = backend({ tokenLifetimeSeconds: 60, now: () => now });
    const reply = await auth.token(form({ grant_type: 'client_credentials' }), basic('backend', 's3cret'), TOKEN_ENDPOINT);
    const token = String(reply.body.access_token);
    expect(auth.rejection(`Bearer ${token}`)).toBeUndefined();
    expect(auth.tokenClient(token)).toBe('backend');
    expect(auth.patientGrant(`Bearer ${token}`)).toBeUndefined();
    now += 60_000;
    expect(auth.rejection(`Bearer ${token}`)).toBe('expired bearer token (access tokens live 60 s)');
    expect(auth.tokenClient(token)).toBeUndefined();
    expect(auth.rejection('Bearer never-issued')).toBe('unknown or revoked bearer token');
  });

  it('should publish the backend services configuration in smart-backend, and the patient launch one in smart-patient', () => {
    const config = backend().smartConfiguration(TOKEN_ENDPOINT, 'http://127.0.0.1:9/auth/authorize');
    expect(config).toEqual({
      token_endpoint: TOKEN_ENDPOINT,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      // Its contents: test/serve/system-scopes.test.ts.
      scopes_supported: [...SYSTEM_SCOPES_SUPPORTED],
      capabilities: ['client-confidential-asymmetric', 'client-confidential-symmetric'],
    });
    const patient = new SandboxAuth({ mode: 'smart-patient', members: [] }).smartConfiguration(TOKEN_ENDPOINT, 'http://127.0.0.1:9/auth/authorize');
    expect(patient).toEqual({
      authorization_endpoint: 'http://127.0.0.1:9/auth/authorize',
      token_endpoint: TOKEN_ENDPOINT,
      grant_types_supported: ['authorization_code', 'refresh_token'],
      response_types_supported: ['code'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      // Its contents: test/serve/system-scopes.test.ts.
      scopes_supported: [...PATIENT_SCOPES_SUPPORTED],
      code_challenge_methods_supported: ['S256'],
      capabilities: [
        'launch-standalone', 'client-public', 'client-confidential-symmetric', 'context-standalone-patient',
        'permission-patient', 'permission-offline', 'permission-v1', 'permission-v2', 'sso-openid-connect',
      ],
    });
  });

  it('should have an authorize endpoint in smart-patient only', () => {
    const params = form({});
    expect(backend().authorize('GET', params, 'http://127.0.0.1:9/fhir')).toBeUndefined();
    expect(new SandboxAuth({ mode: 'bearer' }).authorize('GET', params, 'http://127.0.0.1:9/fhir')).toBeUndefined();
    expect(new SandboxAuth({ mode: 'smart-patient', members: [] }).authorize('GET', params, 'http://127.0.0.1:9/fhir')?.status).toBe(400);
  });

  it('should keep a registry only for SMART modes with registration on, serving the grant types of the mode', async () => {
    expect(new SandboxAuth({ mode: 'bearer', registration: { mode: 'open' } }).registry).toBeUndefined();
    expect(new SandboxAuth({ mode: 'none', registration: { mode: 'open' } }).registry).toBeUndefined();
    expect(new SandboxAuth({ mode: 'smart-backend', registration: { mode: 'off' } }).registry).toBeUndefined();
    expect(new SandboxAuth({ mode: 'smart-backend' }).registry).toBeUndefined();
    const server = new SandboxAuth({ mode: 'smart-backend', registration: { mode: 'open' } });
    expect(server.registration).toEqual({ mode: 'open' });
    expect((await server.registry!.register({})).client.metadata.grant_types).toEqual(['client_credentials']);
    const patient = new SandboxAuth({ mode: 'smart-patient', members: [], registration: { mode: 'token', initialToken: 't' } });
    await expect(patient.registry!.register({ grant_types: ['client_credentials'] })).rejects.toThrow(/not served here \(this server serves authorization_code, refresh_token\)/);
  });
});

describe('SandboxAuth: the client_credentials token endpoint', () => {
  it('should refuse other modes and other grant types', async () => {
    expect(await new SandboxAuth({ mode: 'bearer' }).token(form({ grant_type: 'client_credentials' }), basic('backend', 's3cret'), TOKEN_ENDPOINT)).toEqual({
      status: 404, body: { error: 'invalid_request', error_description: 'this server does not issue tokens' },
    });
    expect(await backend().token(form({ grant_type: 'password' }), basic('backend', 's3cret'), TOKEN_ENDPOINT)).toEqual({
      status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' },
    });
  });

  it('should issue a bearer token with the scope asked for, system/*.read by default', async () => {
    const auth = backend({ tokenLifetimeSeconds: 42 });
    const reply = await auth.token(form({ grant_type: 'client_credentials', scope: 'system/*.*' }), basic('backend', 's3cret'), TOKEN_ENDPOINT);
    expect(reply).toEqual({ status: 200, body: { access_token: expect.any(String), token_type: 'bearer', expires_in: 42, scope: 'system/*.*' } });
    const plain = await auth.token(form({ grant_type: 'client_credentials' }), basic('backend', 's3cret'), TOKEN_ENDPOINT);
    expect(plain.body.scope).toBe('system/*.read');
    expect(auth.tokens.introspect(String(plain.body.access_token))).toMatchObject({ active: true, client_id: 'backend', scope: 'system/*.read' });
  });

  it('should take a client secret by Basic (URL-encoded parts) or in the form, and refuse a wrong or missing one', async () => {
    const auth = new SandboxAuth({ mode: 'smart-backend', clients: [{ clientId: 'a:b c', secret: 'x:y%' }] });
    const ok = await auth.token(form({ grant_type: 'client_credentials' }), basic(encodeURIComponent('a:b c'), encodeURIComponent('x:y%')), TOKEN_ENDPOINT);
    expect(ok.status).toBe(200);
    expect((await auth.token(form({ grant_type: 'client_credentials', client_id: 'a:b c', client_secret: 'x:y%' }), undefined, TOKEN_ENDPOINT)).status).toBe(200);
    expect(await tokenError(auth, form({ grant_type: 'client_credentials' }), basic('a%3Ab%20c', 'x%3Ay'))).toBe('wrong client secret');
    expect(await tokenError(auth, form({ grant_type: 'client_credentials' }), basic('a%3Ab%20c', 'x%3Ay%25%25'))).toBe('wrong client secret');
    expect(await tokenError(auth, form({ grant_type: 'client_credentials' }), basic('a%3Ab%20c', 'x%3Az%25'))).toBe('wrong client secret');
    expect(await tokenError(auth, form({ grant_type: 'client_credentials' }), basic('nobody', 'x'))).toBe('unknown client or client without a secret: nobody');
    expect(await tokenError(auth, form({ grant_type: 'client_credentials' }), `Basic ${Buffer.from('a%3Ab%20c').toString('base64')}`)).toBe('wrong client secret');
    expect(await tokenError(backend(), form({ grant_type: 'client_credentials' }), basic('no-kid', 'x'))).toBe('unknown client or client without a secret: no-kid');
    expect(await tokenError(auth, form({ grant_type: 'client_credentials', client_id: 'a:b c' }))).toMatch(/^no client authentication \(use client_secret_basic, client_secret_post or private_key_jwt\)$/);
    expect(await tokenError(auth, form({ grant_type: 'client_credentials', client_secret: 'x:y%' }))).toMatch(/^no client authentication/);
    // Basic wins over the form: a right secret in the form does not mend a wrong Basic one.
    expect(await tokenError(auth, form({ grant_type: 'client_credentials', client_id: 'a:b c', client_secret: 'x:y%' }), basic('a%3Ab%20c', 'nope'))).toBe('wrong client secret');
  });

  it('should accept private_key_jwt assertions signed ES384 or RS384 with the key the kid names, or the kid-less key', async () => {
    const auth = backend();
    expect((await auth.token(jwtForm(await assertion(ec.privateKey, { kid: 'ec-1' })), undefined, TOKEN_ENDPOINT)).status).toBe(200);
    expect((await auth.token(jwtForm(await assertion(rsa.privateKey, { alg: 'RS384', kid: 'rsa-1' })), undefined, TOKEN_ENDPOINT)).status).toBe(200);
    // The JWKS did not name its key: an assertion naming a kid is still checked against it (kid is optional in a JWKS).
    const kidless = await assertion(ec.privateKey, { kid: 'any-name', claims: { iss: 'no-kid', sub: 'no-kid' } });
    expect((await auth.token(jwtForm(kidless), undefined, TOKEN_ENDPOINT)).status).toBe(200);
    const unnamed = await assertion(ec.privateKey, { claims: { iss: 'no-kid', sub: 'no-kid' } });
    expect((await auth.token(jwtForm(unnamed), undefined, TOKEN_ENDPOINT)).status).toBe(200);
    // aud as a list holding the token endpoint.
    const listed = await assertion(ec.privateKey, { kid: 'ec-1', claims: { aud: ['https://other.example/token', TOKEN_ENDPOINT] } });
    expect((await auth.token(jwtForm(listed), undefined, TOKEN_ENDPOINT)).status).toBe(200);
  });

  it('should refuse each broken assertion with the reason', async () => {
    const auth = backend();
    const refused = async (jwt: string, extra: Record<string, string> = {}) => tokenError(auth, jwtForm(jwt, extra));
    expect(await refused(await assertion(ec.privateKey, { kid: 'ec-1' }), { client_assertion_type: 'urn:example:other' })).toBe(`client_assertion_type must be ${ASSERTION_TYPE}`);
    expect(await tokenError(auth, form({ grant_type: 'client_credentials', client_assertion: await assertion(ec.privateKey, { kid: 'ec-1' }) }))).toBe(`client_assertion_type must be ${ASSERTION_TYPE}`);
    expect(await refused('not-a-jwt')).toBe('client_assertion is not a JWT');
    expect(await refused(rawJwt({ alg: 'HS256' }, { iss: 'backend', sub: 'backend', aud: TOKEN_ENDPOINT }))).toBe('client_assertion alg must be RS384 or ES384, not HS256');
    expect(await refused(rawJwt({ typ: 'JWT' }, { iss: 'backend', sub: 'backend', aud: TOKEN_ENDPOINT }))).toBe('client_assertion alg must be RS384 or ES384, not (none)');
    expect(await refused(await assertion(ec.privateKey, { claims: { iss: undefined } }))).toBe('unknown client or client without a JWKS: (no iss)');
    expect(await refused(await assertion(ec.privateKey, { claims: { iss: 'nobody', sub: 'nobody' } }))).toBe('unknown client or client without a JWKS: nobody');
    expect(await refused(await assertion(ec.privateKey, { claims: { iss: 'secret-only', sub: 'secret-only' } }))).toBe('unknown client or client without a JWKS: secret-only');
    expect(await refused(await assertion(ec.privateKey, { kid: 'ec-1', claims: { sub: 'someone-else' } }))).toBe('client_assertion sub must equal iss (the client id)');
    expect(await refused(await assertion(ec.privateKey, { kid: 'ec-1', claims: { aud: 'https://elsewhere.example/token' } }))).toBe(`client_assertion aud must be the token endpoint ${TOKEN_ENDPOINT}`);
    expect(await refused(await assertion(ec.privateKey, { kid: 'ec-1', claims: { aud: ['https://elsewhere.example/token'] } }))).toBe(`client_assertion aud must be the token endpoint ${TOKEN_ENDPOINT}`);
    expect(await refused(await assertion(ec.privateKey, { kid: 'ec-1', claims: { exp: undefined } }))).toBe('client_assertion has expired (or has no exp)');
    expect(await refused(await assertion(ec.privateKey, { kid: 'ec-1', claims: { exp: Math.floor(Date.now() / 1000) - 60 } }))).toBe('client_assertion has expired (or has no exp)');
    expect(await refused(await assertion(stranger.privateKey, { kid: 'ec-1' }))).toBe('client_assertion signature does not verify against the client JWKS');
    // No key of that kid: said as such, with the JWKS's key ids (public), not as a bad signature (s15 trial G3).
    expect(await refused(await assertion(ec.privateKey, { kid: 'nope' }))).toMatch(/^client_assertion key id nope with alg ES384 matches no key of the client JWKS \(its key ids: .*ec-1.*\)$/);
    expect(await refused(await assertion(ec.privateKey, { claims: { iss: 'twins', sub: 'twins' } }))).toBe('client_assertion signature does not verify against the client JWKS');
    // A claim jose refuses for itself (not yet valid): told as jose tells it.
    expect(await refused(await assertion(ec.privateKey, { kid: 'ec-1', claims: { nbf: Math.floor(Date.now() / 1000) + 3600 } }))).toMatch(/^client_assertion refused: .*nbf/);
    expect(await refused(rawJwt({ alg: 'ES256', kid: 'ec-1' }, { iss: 'backend', sub: 'backend', aud: TOKEN_ENDPOINT }))).toBe('client_assertion alg must be RS384 or ES384, not ES256');
  });

  it('should verify jwks_uri clients against the keys served there, fetching them once for several assertions', async () => {
    const auth = backend();
    const before = jwksHits;
    for (let i = 0; i < 3; i++) {
      const jwt = await assertion(ec.privateKey, { kid: 'remote-1', claims: { iss: 'remote', sub: 'remote' } });
      expect((await auth.token(jwtForm(jwt), undefined, TOKEN_ENDPOINT)).status).toBe(200);
    }
    expect(jwksHits - before).toBe(1);
    const wrong = await assertion(stranger.privateKey, { kid: 'remote-1', claims: { iss: 'remote', sub: 'remote' } });
    expect(await tokenError(auth, jwtForm(wrong))).toBe('client_assertion signature does not verify against the client JWKS');
  });

  it('should use registered clients: a hashed secret, a JWKS, a jwks_uri', async () => {
    const auth = new SandboxAuth({ mode: 'smart-backend', clients: [{ clientId: 'configured', secret: 'c' }], registration: { mode: 'open' } });
    const secretClient = await auth.registry!.register({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' });
    const ok = await auth.token(form({ grant_type: 'client_credentials', client_id: secretClient.client.client_id, client_secret: secretClient.secret! }), undefined, TOKEN_ENDPOINT);
    expect(ok.status).toBe(200);
    expect(await tokenError(auth, form({ grant_type: 'client_credentials', client_id: secretClient.client.client_id, client_secret: `${secretClient.secret}x` }))).toBe('wrong client secret');
    const jwksClient = await auth.registry!.register({ grant_types: ['client_credentials'], jwks: { keys: [ecJwk] } });
    const id = jwksClient.client.client_id;
    expect((await auth.token(jwtForm(await assertion(ec.privateKey, { claims: { iss: id, sub: id } })), undefined, TOKEN_ENDPOINT)).status).toBe(200);
    expect(await tokenError(auth, form({ grant_type: 'client_credentials', client_id: id, client_secret: 'x' }))).toBe(`unknown client or client without a secret: ${id}`);
    const remote = await auth.registry!.register({ grant_types: ['client_credentials'], jwks_uri: jwksUrl });
    const rid = remote.client.client_id;
    expect((await auth.token(jwtForm(await assertion(ec.privateKey, { kid: 'remote-1', claims: { iss: rid, sub: rid } })), undefined, TOKEN_ENDPOINT)).status).toBe(200);
    expect((await auth.token(form({ grant_type: 'client_credentials', client_id: 'configured', client_secret: 'c' }), undefined, TOKEN_ENDPOINT)).status).toBe(200);
  });
});

describe('SandboxAuth: introspection and revocation', () => {
  const ENDPOINTS = [TOKEN_ENDPOINT, INTROSPECT_ENDPOINT];

  it('should introspect for a client (secret, assertion to the introspection endpoint) or a bearer token holder', async () => {
    const auth = backend();
    const token = String((await auth.token(form({ grant_type: 'client_credentials' }), basic('backend', 's3cret'), TOKEN_ENDPOINT)).body.access_token);
    const active = { status: 200, body: expect.objectContaining({ active: true, client_id: 'backend' }) };
    expect(await auth.introspect(form({ token }), basic('backend', 's3cret'), ENDPOINTS)).toEqual(active);
    expect(await auth.introspect(form({ token }), `bearer ${token}`, ENDPOINTS)).toEqual(active);
    const toIntrospection = await assertion(ec.privateKey, { kid: 'ec-1', claims: { aud: INTROSPECT_ENDPOINT } });
    expect(await auth.introspect(new URLSearchParams({ token, client_assertion_type: ASSERTION_TYPE, client_assertion: toIntrospection }), undefined, ENDPOINTS)).toEqual(active);
    expect(await auth.introspect(form({ token }), 'Bearer never-issued', ENDPOINTS)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'unknown or revoked bearer token' } });
    expect(await auth.introspect(form({ token }), undefined, ENDPOINTS)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: expect.stringMatching(/^no client authentication/) } });
    expect(await auth.introspect(form({}), basic('backend', 's3cret'), ENDPOINTS)).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'token is required' } });
    expect(await auth.introspect(form({ token: 'never-issued' }), basic('backend', 's3cret'), ENDPOINTS)).toEqual({ status: 200, body: { active: false } });
    expect(await new SandboxAuth({ mode: 'bearer' }).introspect(form({ token }), basic('backend', 's3cret'), ENDPOINTS)).toEqual({
      status: 401, body: { error: 'invalid_client', error_description: 'this server issues no tokens' },
    });
  });

  it('should revoke only for the client that holds the token, with a known hint or none', async () => {
    const auth = new SandboxAuth({ mode: 'smart-backend', clients: [{ clientId: 'a', secret: 'pa' }, { clientId: 'b', secret: 'pb' }] });
    const issue = async () => String((await auth.token(form({ grant_type: 'client_credentials' }), basic('a', 'pa'), TOKEN_ENDPOINT)).body.access_token);
    const token = await issue();
    expect(await auth.revoke(form({ token }), basic('a', 'wrong'), ENDPOINTS)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'wrong client secret' } });
    expect(await auth.revoke(form({}), basic('a', 'pa'), ENDPOINTS)).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'token is required' } });
    expect(await auth.revoke(form({ token, token_type_hint: 'id_token' }), basic('a', 'pa'), ENDPOINTS)).toEqual({ status: 400, body: { error: 'unsupported_token_type', error_description: 'token_type_hint id_token' } });
    expect(await auth.revoke(form({ token }), basic('b', 'pb'), ENDPOINTS)).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'the token was issued to another client' } });
    expect(auth.rejection(`Bearer ${token}`)).toBeUndefined();
    expect(await auth.revoke(form({ token, token_type_hint: 'access_token' }), basic('a', 'pa'), ENDPOINTS)).toEqual({ status: 200, body: {} });
    expect(auth.rejection(`Bearer ${token}`)).toBe('unknown or revoked bearer token');
    for (const hint of ['refresh_token', '']) {
      const another = await issue();
      expect(await auth.revoke(form({ token: another, token_type_hint: hint }), basic('a', 'pa'), ENDPOINTS), hint).toEqual({ status: 200, body: {} });
      expect(auth.rejection(`Bearer ${another}`)).toBe('unknown or revoked bearer token');
    }
    expect(await auth.revoke(form({ token: 'never-issued' }), basic('a', 'pa'), ENDPOINTS)).toEqual({ status: 200, body: {} });
    expect(await new SandboxAuth({ mode: 'none' }).revoke(form({ token }), basic('a', 'pa'), ENDPOINTS)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'this server issues no tokens' } });
  });
});

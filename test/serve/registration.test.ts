import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'fhir-kit-client';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startServer } from '../../src/serve/index.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded } from './helpers.js';
import { authorizeParams } from './patient-login.js';

type Server = Awaited<ReturnType<typeof startServer>>;

const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

describeEmbedded('serve: dynamic client registration (RFC 7591/7592), smart-backend', () => {
  const temp = tempDir('fhirseed-registration-');
  const stateDir = join(temp.dir, 'serve-state');
  let server: Server;
  let origin: string;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  const start = async () => {
    server = await startServer({ port: 0, auth: { mode: 'smart-backend', clients: [], registration: { mode: 'open', stateDir } } });
    origin = new URL(server.url).origin;
  };
  const stored = () => (existsSync(join(stateDir, 'clients.json')) ? (JSON.parse(readFileSync(join(stateDir, 'clients.json'), 'utf8')) as unknown[]).length : 0);
  const register = async (metadata: unknown) => {
    const res = await fetch(`${origin}/auth/register`, json(metadata));
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const assertionToken = async (clientId: string) => {
    const jwt = await new SignJWT({ jti: `${Math.random()}` })
      .setProtectedHeader({ alg: 'ES384', kid: 'k1' })
      .setIssuer(clientId).setSubject(clientId).setAudience(`${origin}/auth/token`).setExpirationTime('4m')
      .sign(keys.privateKey);
    const res = await fetch(`${origin}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.read', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    keys = await generateKeyPair('ES384', { extractable: true });
    await start();
  }, 120_000 /* the first server of a process loads the search parameters: ~15 s, more on a busy machine */);
  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  let backendId: string;
  let registrationToken: string;

  it('should advertise registration_endpoint in the SMART configuration', async () => {
    const config = await (await fetch(`${origin}/.well-known/smart-configuration`)).json();
    expect(config.registration_endpoint).toBe(`${origin}/auth/register`);
  });

  it('should register a backend client with a JWKS, which then gets a token and searches (fhir-kit-client)', async () => {
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES384' };
    const reply = await register({ client_name: 'payer app', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ client_name: 'payer app', token_endpoint_auth_method: 'private_key_jwt', registration_client_uri: `${origin}/auth/register/${reply.body.client_id}` });
    expect(reply.body.client_secret).toBeUndefined();
    backendId = reply.body.client_id;
    registrationToken = reply.body.registration_access_token;
    const token = await assertionToken(backendId);
    expect(token.status).toBe(200);
    const bundle = (await new Client({ baseUrl: server.url, bearerToken: token.body.access_token }).search({ resourceType: 'Patient', searchParams: { _count: '1' } })) as { resourceType: string };
    expect(bundle.resourceType).toBe('Bundle');
  });

  it('should give a confidential client an id and a secret that client_secret_basic accepts', async () => {
    const reply = await register({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' });
    expect(reply.status).toBe(201);
    expect(reply.body.client_secret).toMatch(/^\S{20,}$/);
    const basic = (secret: string) => `Basic ${Buffer.from(`${reply.body.client_id}:${secret}`).toString('base64')}`;
    const ask = (secret: string) => fetch(`${origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(secret) }, body: 'grant_type=client_credentials' });
    expect((await ask(reply.body.client_secret)).status).toBe(200);
    expect((await ask('wrong')).status).toBe(401);
    // Stored as a hash only.
    expect(readFileSync(join(stateDir, 'clients.json'), 'utf8')).not.toContain(reply.body.client_secret);
  });

  it('should refuse bad metadata with the RFC 7591 error and store nothing', async () => {
    const before = stored();
    const privateJwk = { ...(await exportJWK(keys.privateKey)), alg: 'ES384' };
    const cases: [unknown, string][] = [
      [{ grant_types: ['password'] }, 'invalid_client_metadata'],
      [{ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
      [{ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [privateJwk] } }, 'invalid_client_metadata'],
      [{ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-384', x: 'AAAA', y: 'BBBB' }] } }, 'invalid_client_metadata'],
      [{ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://keys.example/jwks' }, 'invalid_client_metadata'],
      [{ grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }, 'invalid_client_metadata'],
      ['not an object', 'invalid_client_metadata'],
    ];
    for (const [metadata, error] of cases) {
      const reply = await register(metadata);
      expect([reply.status, reply.body.error]).toEqual([400, error]);
      expect(reply.body.error_description).toEqual(expect.any(String));
    }
    expect(stored()).toBe(before);
  });

  it('should read and update a client with its registration access token (RFC 7592), and refuse another token', async () => {
    const uri = `${origin}/auth/register/${backendId}`;
    const read = await fetch(uri, { headers: { authorization: `Bearer ${registrationToken}` } });
    expect(read.status).toBe(200);
    expect((await read.json()).client_name).toBe('payer app');
    expect((await fetch(uri, { headers: { authorization: 'Bearer guess' } })).status).toBe(401);
    const current = await (await fetch(uri, { headers: { authorization: `Bearer ${registrationToken}` } })).json();
    const { registration_client_uri: _u, client_id_issued_at: _i, ...metadata } = current;
    const update = await fetch(uri, { ...json({ ...metadata, client_name: 'renamed app' }, registrationToken), method: 'PUT' });
    expect(update.status).toBe(200);
    expect((await update.json()).client_name).toBe('renamed app');
  });

  it('should fetch the keys of a client registered with jwks_uri when its assertion arrives', async () => {
    const other = await generateKeyPair('ES384', { extractable: true });
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(other.publicKey)), kid: 'k1', alg: 'ES384' }] });
    const keyServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    try {
      const reply = await register({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks.json` });
      expect(reply.status).toBe(201);
      const saved = keys;
      keys = other;
      try {
        expect((await assertionToken(reply.body.client_id)).status).toBe(200);
      } finally {
        keys = saved;
      }
      // Signed with a key the URL does not list: refused.
      expect((await assertionToken(reply.body.client_id)).status).toBe(401);
    } finally {
      await new Promise<void>((resolve) => keyServer.close(() => resolve()));
    }
  });

  it("should say which jwks_uri gave no keys and what it answered (404, not JSON, nothing listening)", async () => {
    const keyServer = createServer((req, res) => (req.url === '/text' ? res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>') : res.writeHead(404).end()));
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
    const refused = async (jwksUri: string) => {
      const reply = await register({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri });
      expect(reply.status).toBe(201);
      const token = await assertionToken(reply.body.client_id);
      expect([token.status, token.body.error]).toEqual([401, 'invalid_client']);
      return token.body.error_description as string;
    };
    try {
      expect(await refused(`${base}/nothing.json`)).toBe(`the client's jwks_uri ${base}/nothing.json answered 404 Not Found, not 200 with its JWKS`);
      expect(await refused(`${base}/text`)).toBe(`the client's jwks_uri ${base}/text answered 200 but not with JSON`);
    } finally {
      await new Promise<void>((resolve) => keyServer.close(() => resolve()));
    }
    // The port is free now: nothing listens there.
    expect(await refused(`${base}/jwks.json`)).toBe(`the client's jwks_uri ${base}/jwks.json could not be fetched (ECONNREFUSED)`);
  });

  it('should keep registered clients across a restart', async () => {
    await server.close();
    await start();
    expect((await assertionToken(backendId)).status).toBe(200);
  }, 30_000);

  it('should forget a deleted client: its tokens requests are then refused', async () => {
    const res = await fetch(`${origin}/auth/register/${backendId}`, { method: 'DELETE', headers: { authorization: `Bearer ${registrationToken}` } });
    expect(res.status).toBe(204);
    const token = await assertionToken(backendId);
    expect([token.status, token.body.error]).toEqual([401, 'invalid_client']);
  });
});

describeEmbedded('serve: registration of SMART apps (smart-patient) and --registration token|off', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const member = { username: 'ann', password: 'pw', patientId: 'ann-1' };
  const boot = async (registration: { mode: 'open' | 'token' | 'off'; initialToken?: string }) => {
    const server = await startServer({ port: 0, auth: { mode: 'smart-patient', members: [member], registration } });
    servers.push(server);
    return { server, origin: new URL(server.url).origin };
  };

  it('should register a public app with its redirect URIs, refuse a bad redirect URI, and hold the app to its URIs', async () => {
    const { server, origin } = await boot({ mode: 'open' });
    const bad = await fetch(`${origin}/auth/register`, json({ token_endpoint_auth_method: 'none', redirect_uris: ['not a url'] }));
    expect([bad.status, (await bad.json()).error]).toEqual([400, 'invalid_redirect_uri']);
    const good = await fetch(`${origin}/auth/register`, json({ token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:3000/callback'], grant_types: ['authorization_code', 'refresh_token'] }));
    expect(good.status).toBe(201);
    const app = await good.json();
    expect(app.client_secret).toBeUndefined();
    const elsewhere = authorizeParams(server.url, { client_id: app.client_id, redirect_uri: 'http://evil.example/cb' }).params;
    expect((await fetch(`${origin}/auth/authorize?${elsewhere}`)).status).toBe(400);
    const registered = authorizeParams(server.url, { client_id: app.client_id }).params;
    expect((await fetch(`${origin}/auth/authorize?${registered}`)).status).toBe(200);
  });

  it('should ask for the initial access token with --registration token, and not register at all with off', async () => {
    const guarded = await boot({ mode: 'token', initialToken: 'let-me-register' });
    const metadata = { token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:3000/callback'] };
    expect((await fetch(`${guarded.origin}/auth/register`, json(metadata))).status).toBe(401);
    expect((await fetch(`${guarded.origin}/auth/register`, json(metadata, 'let-me-register'))).status).toBe(201);
    const closed = await boot({ mode: 'off' });
    expect((await fetch(`${closed.origin}/auth/register`, json(metadata))).status).toBe(404);
    expect((await (await fetch(`${closed.origin}/.well-known/smart-configuration`)).json()).registration_endpoint).toBeUndefined();
  });
});

it('should stop serve with one line and exit 2 for --registration token without a token', async () => {
  let stderr = '';
  const env = process.env.FHIRSEED_REGISTRATION_TOKEN;
  delete process.env.FHIRSEED_REGISTRATION_TOKEN;
  try {
    const code = await runCli(['serve', '--port', '0', '--auth', 'smart-backend', '--client-secret', 'x', '--registration', 'token'], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--registration token needs --registration-token');
  } finally {
    if (env !== undefined) process.env.FHIRSEED_REGISTRATION_TOKEN = env;
  }
});

it('should refuse --registration token under --auth none (no registration there), one line, exit 2', async () => {
  let stderr = '';
  // --rate-limit is read after --registration: without the check the line would be about it.
  const code = await runCli(['serve', '--port', '0', '--auth', 'none', '--registration', 'token', '--registration-token', 'x', '--rate-limit', 'bogus'], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
  expect(code).toBe(2);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toContain('--registration token: there is no client registration under --auth none (only under smart-backend or smart-patient)');
});

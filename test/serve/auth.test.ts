import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { describeEmbedded, fhir } from './helpers.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

function assertion(alg: 'RS384' | 'ES384', key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part({ alg, kid, typ: 'JWT' })}.${part(claims)}`;
  const signature = alg === 'ES384' ? sign('sha384', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha384', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

describeEmbedded('serve: SMART Backend Services auth', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let origin: string;
  let tokenEndpoint: string;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      auth: {
        mode: 'smart-backend',
        tokenLifetimeSeconds: 1,
        clients: [
          {
            clientId: 'test-client',
            secret: 's3cret',
            jwks: {
              keys: [
                { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS384' },
                { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES384' },
              ],
            },
          },
        ],
      },
    });
    origin = new URL(server.url).origin;
    tokenEndpoint = (await (await fetch(`${origin}/.well-known/smart-configuration`)).json()).token_endpoint;
  }, 30_000);

  afterAll(() => server.close());

  const requestToken = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.read', ...form }).toString(),
    });
    return { status: res.status, body: (await res.json()) as { access_token?: string; expires_in?: number; error?: string } };
  };
  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: 'test-client',
    sub: 'test-client',
    aud: tokenEndpoint,
    exp: Math.floor(Date.now() / 1000) + 240,
    jti: `${Math.random()}`,
    ...overrides,
  });
  const jwtForm = (jwt: string) => ({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt });

  it('should publish the SMART configuration', async () => {
    const config = await (await fetch(`${origin}/.well-known/smart-configuration`)).json();
    expect(config.token_endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(config.grant_types_supported).toEqual(['client_credentials']);
    expect(config.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['private_key_jwt', 'client_secret_basic', 'client_secret_post']));
    expect(config.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS384', 'ES384']));
  });

  it('should answer 401 with an OperationOutcome without a token, but serve /metadata', async () => {
    const reply = await fhir(`${server.url}/Patient`);
    expect(reply.status).toBe(401);
    expect(reply.body.resourceType).toBe('OperationOutcome');
    expect((await fhir(`${server.url}/metadata`)).status).toBe(200);
  });

  it('should issue a working token for client_credentials with a secret (basic and post)', async () => {
    const basic = await requestToken({}, { authorization: `Basic ${Buffer.from('test-client:s3cret').toString('base64')}` });
    expect(basic.status).toBe(200);
    expect(basic.body.expires_in).toBe(1);
    expect((await fhir(`${server.url}/Patient`, { token: basic.body.access_token })).status).toBe(200);
    const post = await requestToken({ client_id: 'test-client', client_secret: 's3cret' });
    expect(post.status).toBe(200);
    expect((await requestToken({ client_id: 'test-client', client_secret: 'wrong' })).status).toBe(401);
  });

  it('should issue a working token for a private_key_jwt assertion signed RS384 or ES384', async () => {
    const viaRsa = await requestToken(jwtForm(assertion('RS384', rsa.privateKey, 'rsa-1', claims())));
    expect(viaRsa.status).toBe(200);
    expect((await fhir(`${server.url}/Patient`, { token: viaRsa.body.access_token })).status).toBe(200);
    const viaEc = await requestToken(jwtForm(assertion('ES384', ec.privateKey, 'ec-1', claims())));
    expect(viaEc.status).toBe(200);
  });

  it('should refuse assertions with a wrong key, audience, subject or an expired exp', async () => {
    const refused = [
      assertion('RS384', stranger.privateKey, 'rsa-1', claims()),
      assertion('RS384', rsa.privateKey, 'rsa-1', claims({ aud: 'https://elsewhere.example/token' })),
      assertion('RS384', rsa.privateKey, 'rsa-1', claims({ sub: 'someone-else' })),
      assertion('RS384', rsa.privateKey, 'rsa-1', claims({ exp: Math.floor(Date.now() / 1000) - 10 })),
    ];
    for (const jwt of refused) {
      const reply = await requestToken(jwtForm(jwt));
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_client');
    }
  });

  it('should answer 401 once the token has expired', async () => {
    const { body } = await requestToken({ client_id: 'test-client', client_secret: 's3cret' });
    expect((await fhir(`${server.url}/Patient`, { token: body.access_token })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const reply = await fhir(`${server.url}/Patient`, { token: body.access_token });
    expect(reply.status).toBe(401);
    expect(reply.body.issue[0].details.text).toContain('expired');
  });
});

describeEmbedded('serve: static bearer tokens', () => {
  it('should accept only the configured tokens', async () => {
    const server = await startServer({ port: 0, auth: { mode: 'bearer', staticTokens: ['let-me-in'] } });
    try {
      expect((await fhir(`${server.url}/Patient`, { token: 'let-me-in' })).status).toBe(200);
      expect((await fhir(`${server.url}/Patient`, { token: 'guess' })).status).toBe(401);
      expect((await fhir(`${server.url}/Patient`)).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

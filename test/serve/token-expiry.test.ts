import { Client } from 'fhir-kit-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { parseDuration } from '../../src/serve/oauth/duration.js';
import { UserError } from '../../src/util/errors.js';
import { describeEmbedded } from './helpers.js';
import { CLIENT_ID, exchangeCode, signIn } from './patient-login.js';

/** A clock the tests move by hand, so expiry is tested without waiting. */
function fakeClock() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describeEmbedded('serve: token lifetimes, introspection and revocation (smart-backend)', () => {
  const clock = fakeClock();
  let server: Awaited<ReturnType<typeof startServer>>;
  let origin: string;
  let config: Record<string, any>;
  const basic = `Basic ${Buffer.from('backend:s3cret').toString('base64')}`;
  const getToken = async () => {
    const res = await fetch(`${origin}/auth/token`, { ...form({ grant_type: 'client_credentials', scope: 'system/*.read' }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic } });
    return (await res.json()) as { access_token: string; expires_in: number };
  };

  beforeAll(async () => {
    server = await startServer({ port: 0, auth: { mode: 'smart-backend', tokenLifetimeSeconds: 3600, clients: [{ clientId: 'backend', secret: 's3cret' }], now: clock.now } });
    origin = new URL(server.url).origin;
    config = await (await fetch(`${origin}/.well-known/smart-configuration`)).json();
  }, 30_000);
  afterAll(() => server.close());

  it('should advertise the introspection and revocation endpoints', () => {
    expect(config.introspection_endpoint).toBe(`${origin}/auth/introspect`);
    expect(config.revocation_endpoint).toBe(`${origin}/auth/revoke`);
  });

  it('should give expires_in and refuse the token with invalid_token once its lifetime is over', async () => {
    const { access_token, expires_in } = await getToken();
    expect(expires_in).toBe(3600);
    const client = new Client({ baseUrl: server.url, bearerToken: access_token });
    const bundle = (await client.search({ resourceType: 'Patient', searchParams: { _count: '1' } })) as { resourceType: string };
    expect(bundle.resourceType).toBe('Bundle');
    clock.advance(3599);
    expect((await fetch(`${server.url}/Patient`, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);
    clock.advance(2);
    const res = await fetch(`${server.url}/Patient`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="expired bearer token/);
    expect((await res.json()).issue[0].code).toBe('login');
  });

  it('should say what an access token is to its client (RFC 7662), and inactive once expired', async () => {
    const { access_token } = await getToken();
    const introspect = async () => (await fetch(config.introspection_endpoint, { ...form({ token: access_token }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic } })).json();
    const active = await introspect();
    expect(active).toMatchObject({ active: true, client_id: 'backend', scope: 'system/*.read', token_type: 'Bearer' });
    expect(active.exp - active.iat).toBe(3600);
    clock.advance(3601);
    expect(await introspect()).toEqual({ active: false });
  });

  it('should refuse introspection to a caller that is not a client', async () => {
    const { access_token } = await getToken();
    const res = await fetch(config.introspection_endpoint, form({ token: access_token }));
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('invalid_client');
  });

  it('should forget a revoked token (RFC 7009) and answer 200 for an unknown one', async () => {
    const { access_token } = await getToken();
    const revoke = (token: string) => fetch(config.revocation_endpoint, { ...form({ token, token_type_hint: 'access_token' }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic } });
    expect((await revoke(access_token)).status).toBe(200);
    const res = await fetch(`${server.url}/Patient`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await revoke('never-issued')).status).toBe(200);
  });
});

describeEmbedded('serve: refresh token lifetime (smart-patient)', () => {
  const clock = fakeClock();
  let server: Awaited<ReturnType<typeof startServer>>;
  let origin: string;
  const member = { username: 'ann', password: 'pw-ann', patientId: 'ann-1' };

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      auth: { mode: 'smart-patient', members: [member], tokenLifetimeSeconds: 600, refreshTokenLifetimeSeconds: 86_400, now: clock.now },
    });
    origin = new URL(server.url).origin;
  }, 30_000);
  afterAll(() => server.close());

  const refresh = async (refreshToken: string) => {
    const res = await fetch(`${origin}/auth/token`, form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID }));
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('should refresh within the refresh lifetime, with expires_in and patient, and refuse after it', async () => {
    const first = await exchangeCode(origin, await signIn(origin, server.url, member.username, member.password));
    expect(first.body).toMatchObject({ expires_in: 600, patient: 'ann-1' });
    clock.advance(86_000);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ expires_in: 600, patient: 'ann-1' });
    clock.advance(401);
    const late = await refresh(first.body.refresh_token);
    expect(late.status).toBe(400);
    expect(late.body.error).toBe('invalid_grant');
    expect(late.body.error_description).toContain('expired');
  });

  it('should let a public client revoke its own refresh token', async () => {
    const { body } = await exchangeCode(origin, await signIn(origin, server.url, member.username, member.password));
    const res = await fetch(`${origin}/auth/revoke`, form({ token: body.refresh_token, client_id: CLIENT_ID }));
    expect(res.status).toBe(200);
    expect((await refresh(body.refresh_token)).status).toBe(400);
  });
});

it('should read durations in s, m, h, d and refuse anything else with a UserError', () => {
  expect([parseDuration('--x', '300'), parseDuration('--x', '90s'), parseDuration('--x', '15m'), parseDuration('--x', '1h'), parseDuration('--x', '30d')]).toEqual([300, 90, 900, 3600, 2_592_000]);
  for (const bad of ['0', '1w', '-5m', '1.5h', '']) expect(() => parseDuration('--access-token-ttl', bad)).toThrow(UserError);
});

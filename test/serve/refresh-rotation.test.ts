import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { describeEmbedded } from './helpers.js';
import { CLIENT_ID, exchangeCode, signIn } from './patient-login.js';

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
});

// U4 (session 13): each refresh answered a new refresh token, yet the one used stayed valid (RFC 9700 §4.14.2).
describeEmbedded('serve: refresh token rotation (smart-patient)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let origin: string;
  const member = { username: 'ann', password: 'pw-ann', patientId: 'ann-1' };

  beforeAll(async () => {
    server = await startServer({ port: 0, auth: { mode: 'smart-patient', members: [member] } });
    origin = new URL(server.url).origin;
  }, 400_000);
  afterAll(() => server.close());

  const post = async (path: string, fields: Record<string, string>) => {
    const res = await fetch(`${origin}${path}`, form({ client_id: CLIENT_ID, ...fields }));
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const refresh = (token: string) => post('/auth/token', { grant_type: 'refresh_token', refresh_token: token });
  const active = async (token: string) => (await post('/auth/introspect', { token })).body.active as boolean;
  /** Whether the sandbox takes the access token (no data is loaded: a taken token reads a 404, a refused one a 401). */
  const taken = async (accessToken: string) => (await fetch(`${server.url}/Patient/ann-1`, { headers: { authorization: `Bearer ${accessToken}` } })).status !== 401;
  const signedIn = async () => (await exchangeCode(origin, await signIn(origin, server.url, member.username, member.password))).body;

  it('should end the refresh token used, answer a new one, and treat a replay as the end of the sign-in', async () => {
    const first = await signedIn();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).toEqual(expect.any(String));
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect([await active(first.refresh_token), await active(second.body.refresh_token)]).toEqual([false, true]);
    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);
    const replay = await refresh(first.refresh_token);
    expect(replay).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: expect.stringContaining('already exchanged for a new one') } });
    // The whole family ends: the live refresh token and the access tokens of this sign-in.
    expect(await active(third.body.refresh_token)).toBe(false);
    expect((await refresh(third.body.refresh_token)).status).toBe(400);
    expect(await taken(third.body.access_token)).toBe(false);
  });

  // s15 trial B3 (RFC 6749 §4.1.2): a replayed code was refused, but the tokens issued for it stayed valid.
  it('should refuse a code exchanged twice and revoke the tokens issued for it, leaving another sign-in alone', async () => {
    const code = await signIn(origin, server.url, member.username, member.password);
    const other = await signedIn();
    const first = await exchangeCode(origin, code);
    expect(first.status).toBe(200);
    const refreshed = await refresh(first.body.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(await taken(first.body.access_token)).toBe(true);
    const replay = await exchangeCode(origin, code);
    expect(replay).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: expect.stringContaining('already exchanged for tokens; a replay ends the sign-in') } });
    // Every token of that sign-in ends: the first access token, the rotated refresh token and what it gave.
    expect(await taken(first.body.access_token)).toBe(false);
    expect(await taken(refreshed.body.access_token)).toBe(false);
    expect(await active(refreshed.body.refresh_token)).toBe(false);
    expect(await taken(other.access_token)).toBe(true);
    // Once more: still refused (unknown now), nothing else ends.
    expect((await exchangeCode(origin, code)).status).toBe(400);
    expect(await taken(other.access_token)).toBe(true);
  });

  it("should leave another sign-in's tokens alone when one sign-in is ended by a replay", async () => {
    const mine = await signedIn();
    const other = await signedIn();
    const next = await refresh(mine.refresh_token);
    expect((await refresh(mine.refresh_token)).status).toBe(400);
    expect(await taken(next.body.access_token)).toBe(false);
    expect(await taken(other.access_token)).toBe(true);
    expect((await refresh(other.refresh_token)).status).toBe(200);
  });

  it('should take the access tokens of the sign-in with a revoked refresh token (RFC 7009 §2.1)', async () => {
    const tokens = await signedIn();
    expect(await taken(tokens.access_token)).toBe(true);
    expect((await post('/auth/revoke', { token: tokens.refresh_token, token_type_hint: 'refresh_token' })).status).toBe(200);
    expect(await taken(tokens.access_token)).toBe(false);
  });
});

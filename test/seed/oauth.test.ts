import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OAuthTokenProvider, clientCredentialsAuth, smartBackendAuth } from '../../src/seed/auth/oauth.js';
import type { AuthTransport } from '../../src/seed/auth/types.js';
import { Redactor } from '../../src/seed/redact.js';
import { UserError } from '../../src/util/errors.js';

/** A transport that answers the discovery and token requests from a script and records them. */
function fakeTransport(lifetime = 100) {
  const calls: { url: string; form?: Record<string, string>; headers?: Record<string, string> }[] = [];
  let n = 0;
  const transport: AuthTransport = {
    getJson: async (url) => {
      calls.push({ url });
      return { status: 200, body: { token_endpoint: 'https://auth.example.org/token' } };
    },
    postForm: async (url, form, headers) => {
      calls.push({ url, form, headers });
      await new Promise((r) => setTimeout(r, 5));
      return { status: 200, body: { access_token: `tok-${++n}-abcdef`, expires_in: lifetime } };
    },
  };
  return { transport, calls };
}

describe('OAuthTokenProvider', () => {
  it('should discover the token endpoint, share one fetch among concurrent callers and refresh before expiry', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const env = { FHIRSEED_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const { transport, calls } = fakeTransport(100);
    const provider = smartBackendAuth('https://fhir.example.org/r4', { mode: 'smart-backend', clientId: 'c1' }, env, transport, new Redactor());
    let now = 1_000_000;
    (provider as unknown as { now: () => number }).now = () => now;
    const headers = await Promise.all([provider.authorization(), provider.authorization(), provider.authorization()]);
    expect(new Set(headers)).toEqual(new Set(['Bearer tok-1-abcdef']));
    expect(calls.map((c) => c.url)).toEqual(['https://fhir.example.org/r4/.well-known/smart-configuration', 'https://auth.example.org/token']);
    expect(calls[1]!.form).toMatchObject({ grant_type: 'client_credentials', scope: 'system/*.read system/*.write', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
    now += 79_000; // 100 s token: still good 21 s before expiry
    expect(await provider.authorization()).toBe('Bearer tok-1-abcdef');
    now += 2_000; // within the last fifth of its lifetime: refreshed
    expect(await provider.authorization()).toBe('Bearer tok-2-abcdef');
    expect(provider.tokensIssued).toBe(2);
    provider.invalidate();
    expect(await provider.authorization()).toBe('Bearer tok-3-abcdef');
  });

  it('should send the client secret as HTTP Basic and register it and the tokens for redaction', async () => {
    const { transport, calls } = fakeTransport();
    const redactor = new Redactor();
    const provider: OAuthTokenProvider = clientCredentialsAuth('https://fhir.example.org', { mode: 'client-credentials', clientId: 'c2', tokenUrl: 'https://t/token' }, { FHIRSEED_CLIENT_SECRET: 'very-secret-value' }, transport, redactor);
    const header = await provider.authorization();
    expect(calls[0]!.headers?.authorization).toBe(`Basic ${Buffer.from('c2:very-secret-value').toString('base64')}`);
    expect(redactor.redact(`x very-secret-value ${header} ${calls[0]!.headers!.authorization}`)).not.toMatch(/very-secret-value|tok-1|YzI6/);
  });

  it('should fail with one line, no secret in it, when the token endpoint refuses', async () => {
    const transport: AuthTransport = {
      getJson: async () => ({ status: 404, body: undefined }),
      postForm: async () => ({ status: 401, body: { error: 'invalid_client', error_description: 'bad secret very-secret-value' } }),
    };
    const provider = clientCredentialsAuth('https://fhir.example.org', { mode: 'client-credentials', clientId: 'c', tokenUrl: 'https://t/token' }, { FHIRSEED_CLIENT_SECRET: 'very-secret-value' }, transport, new Redactor());
    const error = await provider.authorization().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/HTTP 401 \(invalid_client/);
    expect((error as Error).message).not.toContain('very-secret-value');
    const noDiscovery = clientCredentialsAuth('https://fhir.example.org', { mode: 'client-credentials', clientId: 'c' }, { FHIRSEED_CLIENT_SECRET: 'x1234' }, transport, new Redactor());
    await expect(noDiscovery.authorization()).rejects.toThrow(/--token-url/);
  });

  it('should say which variable or file is missing, and need a client id', () => {
    const { transport } = fakeTransport();
    expect(() => clientCredentialsAuth('https://f', { mode: 'client-credentials', clientId: 'c' }, {}, transport, new Redactor())).toThrow(/FHIRSEED_CLIENT_SECRET/);
    expect(() => smartBackendAuth('https://f', { mode: 'smart-backend' }, {}, transport, new Redactor())).toThrow(/--client-id/);
  });
});

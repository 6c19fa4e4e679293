import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthProvider } from '../../src/seed/auth/types.js';
import { AuthRefused, FhirHttpClient, NetworkFailure } from '../../src/seed/http.js';
import { Redactor } from '../../src/seed/redact.js';

/**
 * A stub that answers by script, not a FHIR server: each test names a path whose answers it plays
 * in order, so the client's retry logic can be watched request by request.
 */
type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const scripts = new Map<string, Answer[]>();
const seen = new Map<string, number>();
let active = 0;
let peak = 0;
let server: Server;
let base: string;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname.slice(1);
    seen.set(path, (seen.get(path) ?? 0) + 1);
    active++;
    peak = Math.max(peak, active);
    res.on('close', () => active--);
    req.resume();
    req.on('end', () => {
      const script = scripts.get(path) ?? [];
      const answer = script.length > 1 ? script.shift()! : script[0] ?? json(404, {});
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client(overrides: Partial<ConstructorParameters<typeof FhirHttpClient>[0]> = {}) {
  return new FhirHttpClient({
    baseUrl: base, concurrency: 2, timeoutMs: 2000, redactor: new Redactor(),
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5000 },
    ...overrides,
  });
}

describe('FhirHttpClient', () => {
  it('should wait out a 429 for as long as Retry-After says, then succeed', async () => {
    scripts.set('a', [json(429, {}, { 'retry-after': '1' }), json(200, { ok: 1 })]);
    const c = client();
    const started = Date.now();
    const r = await c.send('GET', 'a');
    expect(r.status).toBe(200);
    expect(r.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(c.stats.retries).toBe(1);
    await c.close();
  });

  it('should give up on a lasting 503 after the retry limit and not retry a 422', async () => {
    scripts.set('b', [json(503, {})]);
    scripts.set('c', [json(422, { resourceType: 'OperationOutcome', issue: [] })]);
    const c = client();
    const r = await c.send('GET', 'b');
    expect([r.status, r.attempts, seen.get('b')]).toEqual([503, 4, 4]);
    const bad = await c.send('PUT', 'c', { resourceType: 'Patient', id: 'x' });
    expect([bad.status, bad.attempts, seen.get('c')]).toEqual([422, 1, 1]);
    await c.close();
  });

  it('should retry a dropped connection and a response slower than the timeout', async () => {
    scripts.set('d', [(req) => req.socket.destroy(), (_req, res) => setTimeout(() => json(200, {})(_req, res), 800), json(200, { ok: 1 })]);
    const c = client({ timeoutMs: 300 });
    const r = await c.send('GET', 'd');
    expect([r.status, r.attempts]).toEqual([200, 3]);
    scripts.set('e', [(req) => req.socket.destroy()]);
    await expect(c.send('GET', 'e')).rejects.toBeInstanceOf(NetworkFailure);
    // The retries, and one resend at once: a connection closed before any answer, once the server has answered before.
    expect(seen.get('e')).toBe(5);
    await c.close();
  });

  it('should fetch a new token once on a 401, and stop the run if the new one is refused too', async () => {
    let issued = 0;
    const auth: AuthProvider = { mode: 'smart-backend', tokensIssued: 0, authorization: async () => `Bearer token-${issued}`, invalidate: () => (issued++, true) };
    scripts.set('f', [(req, res) => json(req.headers.authorization === 'Bearer token-1' ? 200 : 401, {})(req, res)]);
    const c = client();
    c.auth = auth;
    expect((await c.send('GET', 'f')).status).toBe(200);
    scripts.set('g', [json(401, {})]);
    await expect(c.send('GET', 'g')).rejects.toBeInstanceOf(AuthRefused);
    await c.close();
  });

  it('should keep no more requests in flight than its concurrency', async () => {
    scripts.set('h', [(req, res) => setTimeout(() => json(200, {})(req, res), 30)]);
    peak = 0;
    const c = client({ concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => c.send('GET', 'h')));
    expect(peak).toBe(3);
    await c.close();
  });
});

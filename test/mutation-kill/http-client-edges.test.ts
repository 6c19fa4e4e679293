import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthProvider } from '../../src/seed/auth/types.js';
import { FhirHttpClient } from '../../src/seed/http.js';
import { Redactor } from '../../src/seed/redact.js';

/**
 * The survivors of the Stryker run of src/seed/http.ts (issue 19) against a real HTTP server: how many sockets the
 * seeder's client opens (one more than --concurrency, so token requests never wait behind the data requests, and
 * never more), and that only a 401 makes it drop its token. The server holds each request until a second one is in,
 * then answers both: requests that find every socket busy open a new one only when the agent allows it; a path
 * starting /status-N is answered at once with that status.
 */
const sockets = new Set<Socket>();
let held: ServerResponse[] = [];
let server: ReturnType<typeof createServer>;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const status = /^\/status-(\d+)/.exec(req.url!)?.[1];
    if (status) return res.writeHead(Number(status), { 'content-type': 'application/fhir+json' }).end('{}');
    sockets.add(req.socket);
    held.push(res);
    if (held.length < 2) return;
    for (const r of held) r.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    held = [];
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('FhirHttpClient: sockets', () => {
  it('should open at most concurrency + 1 sockets, however many requests are waiting', async () => {
    const client = new FhirHttpClient({
      baseUrl: base, concurrency: 1, timeoutMs: 5000, redactor: new Redactor(), random: () => 0,
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    });
    try {
      // Token and discovery requests (the transport) do not wait for a request slot, only for a socket.
      const transport = client.transport();
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => transport.getJson(`${base}/token-${i}`)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(sockets.size).toBe(2);
    } finally {
      await client.close();
    }
  });
});

describe('FhirHttpClient: a fresh token only after a 401', () => {
  it('should not drop its token on any other answer, even when the provider could refresh it', async () => {
    let invalidated = 0;
    const auth: AuthProvider = { mode: 'smart-backend', tokensIssued: 1, authorization: async () => 'Bearer t', invalidate: () => (invalidated++, true) };
    const client = new FhirHttpClient({
      baseUrl: base, concurrency: 1, timeoutMs: 5000, redactor: new Redactor(), random: () => 0,
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    });
    client.auth = auth;
    try {
      for (const status of [200, 201, 404, 409, 500]) {
        const answer = await client.send('GET', `status-${status}`);
        expect(answer.status).toBe(status);
        expect(answer.attempts).toBe(1);
      }
      expect(client.stats).toEqual({ requests: 5, retries: 0 });
      expect(invalidated).toBe(0);
    } finally {
      await client.close();
    }
  });
});

describe('FhirHttpClient: close', () => {
  it('should take no request once closed (its sockets are gone, not kept alive)', async () => {
    const client = new FhirHttpClient({
      baseUrl: base, concurrency: 1, timeoutMs: 5000, redactor: new Redactor(), random: () => 0,
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    });
    expect((await client.send('GET', 'status-200')).status).toBe(200);
    await client.close();
    await expect(client.send('GET', 'status-200')).rejects.toThrow(/^GET http:\/\/127\.0\.0\.1:\d+\/status-200: /);
  });
});

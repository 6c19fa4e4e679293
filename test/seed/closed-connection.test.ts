// V s19 item 9: seeding into `serve --validate` sometimes got "the connection was closed by … before an answer
// (ECONNRESET)" and waited out a backoff, using up --max-retries. A server closes a kept-alive connection when its idle
// timeout fires, and a request the client sent on it just then is reset unanswered. Here a server resets the second
// request of every connection, deterministically: the seeder must send it again at once on a new connection, even
// with --max-retries 0, and only once (a request the server resets every time still fails).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/seed/connect.js';
import { NetworkFailure } from '../../src/seed/http.js';
import { testConnection } from './helpers/data.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server answering every request 200 except those `reset` picks, whose connection it resets unanswered (TCP RST). */
async function startResettingServer(reset: (requestOnConnection: number, url: string) => boolean): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const counts = new WeakMap<object, number>();
  server = createServer((req, res) => {
    const n = (counts.get(req.socket) ?? 0) + 1;
    counts.set(req.socket, n);
    seen.push(`${req.method} ${req.url} #${n}`);
    if (reset(n, req.url ?? '')) return void req.socket.resetAndDestroy();
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify(req.url?.endsWith('/metadata') ? { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' } : { resourceType: 'Patient', id: 'p1' });
      res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  // No idle timeout of its own: only the scripted resets close connections.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`, seen };
}

/** A moment for the client to see its first connection idle (undici checks an idle socket before reusing it). */
const idle = () => new Promise((resolve) => setTimeout(resolve, 50));

const noRetries = { maxRetries: 0, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 1000 };

describe('a kept-alive connection the server resets as a request goes out on it', () => {
  it('should send the request again at once on a new connection, outside --max-retries, and count it apart', async () => {
    const { url, seen } = await startResettingServer((n) => n === 2);
    const retries: string[] = [];
    const { client } = connect({ ...testConnection(url, { retry: noRetries, concurrency: 1 }), log: (line) => retries.push(line) });
    try {
      expect((await client.send('GET', 'metadata')).status).toBe(200);
      await idle();
      const put = await client.send('PUT', 'Patient/p1', { resourceType: 'Patient', id: 'p1' });
      expect(put.status).toBe(200);
      // The PUT went out on the first connection (its 2nd request, reset), then alone on a new one.
      expect(seen).toEqual(['GET /fhir/metadata #1', 'PUT /fhir/Patient/p1 #2', 'PUT /fhir/Patient/p1 #1']);
      expect(client.retryCauses).toEqual({ 'connection closed, resent at once': 1 });
      expect(retries).toEqual([expect.stringMatching(/^retrying in 0 ms: the connection was closed by 127\.0\.0\.1:\d+ before an answer \(ECONNRESET\)$/)]);
    } finally {
      await client.close();
    }
  });

  it('should resend only once: a request the server resets on every connection still fails under --max-retries 0', async () => {
    const { url, seen } = await startResettingServer((_n, path) => path.endsWith('/Patient/poison'));
    const { client } = connect(testConnection(url, { retry: noRetries, concurrency: 1 }));
    try {
      expect((await client.send('GET', 'metadata')).status).toBe(200);
      await idle();
      await expect(client.send('PUT', 'Patient/poison', { resourceType: 'Patient', id: 'poison' })).rejects.toThrow(NetworkFailure);
      expect(seen.filter((s) => s.startsWith('PUT'))).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it('should not resend at once before the server has answered anything (first contact: the setup, not a stale connection)', async () => {
    const { url, seen } = await startResettingServer(() => true);
    const { client } = connect(testConnection(url, { retry: noRetries, concurrency: 1 }));
    try {
      await expect(client.send('GET', 'metadata')).rejects.toThrow(NetworkFailure);
      expect(seen).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

// The seed summary says why it retried (s12 trial item 6), and ping against an unreachable server says the profile
// checks read no CapabilityStatement (item 10).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/seed/connect.js';
import { ping } from '../../src/seed/ping.js';
import { formatSeedSummary, retryCauses } from '../../src/seed/report.js';
import type { SeedSummary } from '../../src/seed/seed.js';
import { testConnection } from './helpers/data.js';

async function listen(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('retry causes', () => {
  it('should count each retry of a request by its cause: an HTTP status, a closed connection, a timeout', async () => {
    let n = 0;
    const server = await listen((req, res) => {
      req.resume();
      n++;
      if (n === 1 || n === 2) return void res.writeHead(503, { 'retry-after': '0' }).end();
      // Closed before an answer twice: sent again at once the first time (the server has answered before), then after a backoff.
      if (n === 3 || n === 4) return void req.socket.destroy();
      if (n === 5) return; // never answered: a timeout
      res.writeHead(200, { 'content-type': 'application/fhir+json' }).end('{"resourceType":"Bundle","type":"searchset"}');
    });
    const { client } = connect(testConnection(server.url, { timeoutMs: 1500 }));
    try {
      const answer = await client.send('GET', 'Patient');
      expect(answer.status).toBe(200);
      expect(client.stats.retries).toBe(5);
      expect(client.retryCauses).toEqual({ 'HTTP 503': 2, 'connection closed, resent at once': 1, 'connection closed': 1, timeout: 1 });
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('should print the causes after the count, most frequent first, and nothing when there was no retry', () => {
    expect(retryCauses({ timeout: 5, 'HTTP 503': 3 })).toBe(' (5× timeout, 3× HTTP 503)');
    expect(retryCauses({ 'HTTP 503': 1, 'connection closed': 1, 'entry HTTP 429': 2 })).toBe(' (2× entry HTTP 429, 1× HTTP 503, 1× connection closed)');
    expect(retryCauses({})).toBe('');
    const summary = {
      server: 'http://x/fhir', runId: 'r', mode: 'transaction', bundleSize: 100, dryRun: false, sent: 10, created: 10, updated: 0, unchanged: 0, failed: 0,
      retried: 8, retryCauses: { timeout: 5, 'HTTP 503': 3 }, deadLettered: 0, skippedMembers: 0, elapsedMs: 1000, rate: 10, tokensIssued: 0, deadLetterFile: 'd', ok: true,
    } as SeedSummary;
    expect(formatSeedSummary(summary)).toContain('retried 8 (5× timeout, 3× HTTP 503), dead-lettered 0');
    expect(formatSeedSummary({ ...summary, retried: 0, retryCauses: {} })).toContain('retried 0, dead-lettered 0');
  });
});

describe('ping against an unreachable server', () => {
  it('should say the profile checks read no CapabilityStatement, not that it declares none', async () => {
    const gone = await listen(() => undefined);
    const url = gone.url;
    await gone.close();
    const checks = await ping({ ...testConnection(url) });
    const profiles = checks.filter((c) => c.check.endsWith('profiles declared'));
    expect(profiles).toHaveLength(2);
    for (const c of profiles) {
      expect([c.ok, c.skipped]).toEqual([false, true]);
      expect(c.detail).toBe('no CapabilityStatement');
      expect(c.detail).not.toContain('none in the CapabilityStatement');
    }
  });
});

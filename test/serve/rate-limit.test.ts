import type { ServerResponse } from 'node:http';
import { Client } from 'fhir-kit-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { FhirHttpClient } from '../../src/seed/http.js';
import { reportedQuota } from '../../src/seed/limiter.js';
import { Redactor } from '../../src/seed/redact.js';
import { startServer } from '../../src/serve/index.js';
import { parseRateLimit, parseWarnShare, RateLimit, warnFrom } from '../../src/serve/rate-limit.js';
import { UserError } from '../../src/util/errors.js';
import { describeEmbedded } from './helpers.js';

/*
 * The seeder case runs on the real clock (about 3 s: 30 requests under a 10/s quota); the others move
 * a fake clock.
 */

describeEmbedded('serve --rate-limit: headers, warning, 429 and recovery', () => {
  // On a whole second, so the per-second window resets exactly when the clock moves by 1 s.
  let now = Date.parse('2026-01-01T00:00:00Z');
  let server: Awaited<ReturnType<typeof startServer>>;
  const get = (token: string) => fetch(`${server.url}/Patient?_count=1`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      auth: { mode: 'bearer', staticTokens: ['alice', 'bob'] },
      rateLimit: { policies: parseRateLimit('5/s,100/min'), warnShare: 0.8, now: () => now },
    });
  }, 30_000);
  afterAll(() => server.close());

  it('should count per client, warn from 80 %, refuse past the quota with 429, and recover when the window resets', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await get('alice'));
    const [first, , , fourth, fifth, sixth] = answers as [Response, Response, Response, Response, Response, Response];
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"per-second";q=5;w=1, "per-minute";q=100;w=60');
    expect(first.headers.get('ratelimit')).toBe('"per-second";r=4;t=1, "per-minute";r=99;t=60');
    expect([first.headers.get('x-ratelimit-limit'), first.headers.get('x-ratelimit-remaining'), first.headers.get('x-ratelimit-reset')]).toEqual(['5', '4', '1']);
    expect(answers.slice(0, 3).map((a) => a.headers.get('warning'))).toEqual([null, null, null]);
    // 80 % of 5 is the 4th: warned from it, one request before the 429.
    expect(fourth.headers.get('warning')).toMatch(/^199 fhirseed "rate limit: 4 of 5 requests used in the per-second window, resets in 1 s"$/);
    expect(fifth.status).toBe(200);
    expect(fifth.headers.get('warning')).toMatch(/^199 fhirseed "rate limit: 5 of 5 requests used in the per-second window, resets in 1 s"$/);
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toBe('1');
    expect(sixth.headers.get('x-ratelimit-remaining')).toBe('0');
    const outcome = await sixth.json();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].code).toBe('throttled');
    // Another client has its own quota.
    expect((await get('bob')).status).toBe(200);
    now += 1000;
    const again = await get('alice');
    expect(again.status).toBe(200);
    expect(again.headers.get('ratelimit')).toBe('"per-second";r=4;t=1, "per-minute";r=94;t=59');
  });

  it('should put the headers on what fhir-kit-client reads too, and the 429 as an error it can see', async () => {
    now += 1000;
    const client = new Client({ baseUrl: server.url, bearerToken: 'bob' });
    for (let i = 0; i < 5; i++) await client.search({ resourceType: 'Patient', searchParams: { _count: '1' } });
    const error = (await client.search({ resourceType: 'Patient' }).catch((e: unknown) => e)) as { response?: { status?: number } };
    expect(error.response?.status).toBe(429);
  });
});

describeEmbedded('the seeder under a server rate limit', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ port: 0, rateLimit: { policies: parseRateLimit('10/s') } });
  }, 30_000);
  afterAll(() => server.close());

  it('should slow down from the RateLimit headers and never be throttled when it starts under the limit', async () => {
    const throttled: string[] = [];
    const client = new FhirHttpClient({
      baseUrl: server.url, concurrency: 4, timeoutMs: 5000, redactor: new Redactor(),
      retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5000 },
      onRetry: (reason) => throttled.push(reason),
    });
    try {
      const answers = await Promise.all(Array.from({ length: 30 }, () => client.send('GET', 'Patient?_count=1')));
      expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
      expect(answers.every((a) => a.attempts === 1)).toBe(true);
      expect(throttled).toEqual([]);
      expect(client.stats.requests).toBe(30);
    } finally {
      await client.close();
    }
  }, 30_000);
});

describe('rate limit options and headers', () => {
  it('should read N/s, N/min and both, and refuse anything else with a UserError', () => {
    expect(parseRateLimit('10/s,300/min')).toEqual([
      { name: 'per-second', quota: 10, windowSeconds: 1 },
      { name: 'per-minute', quota: 300, windowSeconds: 60 },
    ]);
    for (const bad of ['10', '10/hour', '0/s', 'x/s', '5/s,6/s', '']) expect(() => parseRateLimit(bad)).toThrow(UserError);
  });

  it('should read --rate-limit-warn as a percentage and refuse 0, over 100 or words', () => {
    expect([parseWarnShare('80%'), parseWarnShare('50'), parseWarnShare(100)]).toEqual([0.8, 0.5, 1]);
    for (const bad of ['0', '150%', 'most', '']) expect(() => parseWarnShare(bad)).toThrow(UserError);
  });

  it('should warn from the request that reaches the share, and at least once before a 429, for any quota and share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 100 }), (quota, percent) => {
        const limit = new RateLimit({ policies: parseRateLimit(`${quota}/s`), warnShare: percent / 100, now: () => 0 });
        const answers: { status: number; warned: boolean }[] = [];
        for (let i = 0; i <= quota; i++) {
          const headers = new Map<string, string>();
          let status = 200;
          const res = { setHeader: (k: string, v: string) => headers.set(k, v), writeHead: (code: number) => (status = code), end: () => undefined } as unknown as ServerResponse;
          limit.admit('client', res);
          answers.push({ status, warned: headers.has('warning') });
        }
        expect(answers.map((a) => a.status)).toEqual([...Array(quota).fill(200), 429]);
        const warned = answers.slice(0, quota).map((a, i) => (a.warned ? i + 1 : 0)).filter(Boolean);
        // Warned requests are the last ones of the window, with no gap.
        expect(warned).toEqual(Array.from({ length: warned.length }, (_, i) => quota - warned.length + 1 + i));
        // At least one warning before the last allowed request when there is one; none before the share is reached.
        expect(warned[0]).toBeLessThanOrEqual(Math.max(1, quota - 1));
        if (warned[0]! > 1) expect(warned[0]! - 1).toBeLessThan(Math.ceil((quota * percent) / 100));
      }),
    );
  });

  it('should warn from the 7th of 25 requests at 28 % and the 28th of 50 at 56 % (whole shares in floating point)', () => {
    // ci2 (s14) drew quota 25 at 28 %: 25 × 0.28 = 7.000000000000001, whose ceiling made the 8th the first warned.
    expect(warnFrom(25, 0.28)).toBe(7);
    expect(warnFrom(50, 0.56)).toBe(28);
    expect(warnFrom(50, 0.14)).toBe(7);
    expect(warnFrom(10, 0.81)).toBe(9);
  });

  it('should take the tightest quota a server reports, from RateLimit or X-RateLimit-*', () => {
    expect(reportedQuota({ ratelimit: '"per-second";r=3;t=1, "per-minute";r=2;t=40' })).toEqual({ remaining: 2, resetSeconds: 40 });
    expect(reportedQuota({ 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '12' })).toEqual({ remaining: 7, resetSeconds: 12 });
    expect(reportedQuota({})).toBeUndefined();
  });

  it('should stop serve with one line and exit 2 on a bad --rate-limit', async () => {
    let stderr = '';
    const code = await runCli(['serve', '--port', '0', '--rate-limit', '10/hour'], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--rate-limit 10/hour: expected N/s, N/min');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_POLICY, isTransientStatus, parseRetryAfter } from '../../src/seed/backoff.js';
import { RateLimiter, Semaphore } from '../../src/seed/limiter.js';

describe('backoff', () => {
  it('should parse Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(['1.5'])).toBe(1500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('should grow exponentially within [step/2, step] and never pass the ceiling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (retry, r) => {
        const step = Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (retry - 1));
        const d = backoffDelay(retry, DEFAULT_RETRY_POLICY, undefined, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(step / 2));
        expect(d).toBeLessThanOrEqual(step);
      }),
    );
  });

  it('should wait at least what Retry-After asks, up to the policy cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 500_000 }), (retry, after) => {
        const d = backoffDelay(retry, DEFAULT_RETRY_POLICY, after, () => 0.5);
        expect(d).toBeGreaterThanOrEqual(Math.min(after, DEFAULT_RETRY_POLICY.maxRetryAfterMs));
        expect(d).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxRetryAfterMs + 1000);
      }),
    );
  });

  it('should retry throttling and gateway errors but not the data\'s faults', () => {
    for (const s of [429, 502, 503, 504]) expect(isTransientStatus(s)).toBe(true);
    for (const s of [400, 401, 404, 409, 412, 422, 500]) expect(isTransientStatus(s)).toBe(false);
  });
});

describe('limits', () => {
  it('should never run more tasks at once than the semaphore allows', async () => {
    const semaphore = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        semaphore.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 1 + (i % 3)));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('should space requests 1/rps apart however many ask at once', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter(10, () => now, async (ms) => {
      waits.push(ms);
    });
    await Promise.all(Array.from({ length: 5 }, () => limiter.take()));
    expect(waits).toEqual([100, 200, 300, 400]);
    now = 10_000;
    await limiter.take();
    expect(waits).toHaveLength(4);
  });
  it('should count what the window already spent, not only the policy rate, when workers start together', async () => {
    // Four workers sent at once before any answer; the server's window (10/s) has 6 left and resets in 1 s.
    // Paced at the policy's 8/s alone, the rest of the window would take 8 more (12 > 10: a 429).
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 10 }), (workers, remaining) => {
        const waits: number[] = [];
        const limiter = new RateLimiter(undefined, () => 0, async (ms) => void waits.push(ms), workers);
        limiter.observe({ 'ratelimit-policy': '"per-second";q=10;w=1', ratelimit: `"per-second";r=${remaining};t=1` });
        const starts = Array.from({ length: 20 }, () => {
          const before = waits.length;
          void limiter.take();
          return waits.length > before ? waits.at(-1)! : 0;
        });
        expect(starts.filter((t) => t < 999.5).length).toBeLessThanOrEqual(Math.max(0, remaining - workers));
      }),
    );
  });
});

import { parseList, Token, type Item, type List } from 'structured-headers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { parseRateLimit } from '../../src/serve/rate-limit.js';
import { describeEmbedded } from './helpers.js';

/*
 * RateLimit-Policy and RateLimit read with an RFC 9651 structured-field parser (structured-headers) and held
 * to draft-ietf-httpapi-ratelimit-headers-11 (May 2026): §3 a List of quota policy items whose value is a
 * String, `q` a non-negative Integer, `w` a positive Integer; §4 a List of service limit items naming a
 * policy, `r` a non-negative Integer, `t` a non-negative Integer; §6 Retry-After not before the end of the
 * effective window.
 */

/** The list's items as [String name, integer parameters]; fails on a Token, an inner list or a non-integer parameter. */
function items(list: List): { name: string; params: Record<string, number> }[] {
  return list.map((member) => {
    const [value, params] = member as Item;
    expect(Array.isArray(value), 'an inner list').toBe(false);
    expect(value instanceof Token, `${String(value)} is a Token, the draft wants a String`).toBe(false);
    expect(typeof value).toBe('string');
    const numbers = Object.fromEntries([...params].map(([key, v]) => [key, v as number]));
    for (const [key, v] of Object.entries(numbers)) expect(Number.isInteger(v), `${key}=${String(v)}`).toBe(true);
    return { name: value as string, params: numbers };
  });
}

describeEmbedded('serve --rate-limit: header syntax of draft-ietf-httpapi-ratelimit-headers-11', () => {
  let now = Date.parse('2026-01-01T00:00:00.250Z');
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ port: 0, rateLimit: { policies: parseRateLimit('2/s,300/min'), now: () => now } });
  }, 30_000);
  afterAll(() => server.close());

  it('should send RateLimit-Policy and RateLimit as structured-field Lists of the draft\'s items, also on a 429', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await fetch(`${server.url}/metadata`));
    for (const res of answers) {
      const policies = items(parseList(res.headers.get('ratelimit-policy')!));
      expect(policies).toEqual([{ name: 'per-second', params: { q: 2, w: 1 } }, { name: 'per-minute', params: { q: 300, w: 60 } }]);
      const limits = items(parseList(res.headers.get('ratelimit')!));
      expect(limits.map((l) => l.name)).toEqual(policies.map((p) => p.name));
      for (const { params } of limits) {
        expect(Object.keys(params).sort()).toEqual(['r', 't']);
        expect(params.r).toBeGreaterThanOrEqual(0);
        expect(params.t).toBeGreaterThanOrEqual(0);
      }
    }
    const refused = answers[2]!;
    expect(refused.status).toBe(429);
    const perSecond = items(parseList(refused.headers.get('ratelimit')!))[0]!;
    expect(perSecond.params.r).toBe(0);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(perSecond.params.t!);
    now += 1000;
  });
});

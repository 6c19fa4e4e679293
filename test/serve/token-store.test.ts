import { describe, expect, it } from 'vitest';
import { TokenStore } from '../../src/serve/oauth/tokens.js';

function fakeClock() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('TokenStore: expired tokens', () => {
  // serve --rate-limit looks the token up (whose quota) before the auth check does: with the token deleted at the
  // first look-up, the member was told "unknown or revoked bearer token" instead of "expired".
  it('should tell an expired access token as expired at every look-up, not only the first', () => {
    const clock = fakeClock();
    const store = new TokenStore({ access: 2, refresh: 60 }, clock.now);
    const { token } = store.issueAccess('app', 'patient/*.read');
    expect(store.lookup(token, 'access').ok).toBe(true);
    clock.advance(3);
    expect(store.lookup(token, 'access')).toEqual({ ok: false, reason: 'expired' });
    expect(store.lookup(token, 'access')).toEqual({ ok: false, reason: 'expired' });
    expect(store.introspect(token)).toEqual({ active: false });
  });

  it('should forget a token an hour after it expired, at a sweep when tokens are issued (at most one a minute)', () => {
    const clock = fakeClock();
    const store = new TokenStore({ access: 2, refresh: 60 }, clock.now);
    const { token } = store.issueAccess('app', 'patient/*.read');
    clock.advance(2 + 3599);
    store.issueAccess('app', 'patient/*.read');
    expect(store.lookup(token, 'access')).toEqual({ ok: false, reason: 'expired' });
    clock.advance(60);
    store.issueAccess('app', 'patient/*.read');
    expect(store.lookup(token, 'access')).toEqual({ ok: false, reason: 'unknown' });
  });
});

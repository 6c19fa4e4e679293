import { sleep } from './backoff.js';

/** At most `limit` holders at a time; waiters are served in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * A requests-per-second cap shared by every worker: each request is given the next free slot,
 * 1/rps apart, so the rate holds however many workers ask at once. It also follows the server's
 * own quota, from each answer's headers: with RateLimit-Policy (IETF draft, `"name";q=…;w=…`) it
 * paces at 80% of the tightest policy's rate, leaving room for requests that travel unevenly; and with
 * a remaining count (RateLimit `r`/`t`, or X-RateLimit-Remaining/Reset) it spreads what remains,
 * less what may be in flight (`margin`, the worker count), over the window; and when nothing is left
 * it holds new requests until the window resets. A client that starts under the limit is so never throttled.
 */
export class RateLimiter {
  private nextSlot = 0;
  /** From the server's headers: no request before this (epoch ms). */
  private pausedUntil = 0;
  /** From RateLimit-Policy: the gap between requests (ms) at 80% of the tightest policy's rate. */
  private policyInterval = 0;
  /** From the remaining count: the gap between requests (ms) that spreads it to the reset, until `paceEnds` (epoch ms). */
  private remainingInterval = 0;
  private paceEnds = 0;

  constructor(
    private readonly requestsPerSecond: number | undefined,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<void> = sleep,
    private readonly margin = 1,
  ) {
    if (requestsPerSecond !== undefined && !(requestsPerSecond > 0)) throw new RangeError(`requests per second ${requestsPerSecond}`);
  }

  async take(): Promise<void> {
    const now = this.now();
    const own = this.requestsPerSecond === undefined ? 0 : 1000 / this.requestsPerSecond;
    const interval = Math.max(own, this.policyInterval, now < this.paceEnds ? this.remainingInterval : 0);
    const slot = Math.max(now, this.nextSlot, this.pausedUntil);
    this.nextSlot = slot + interval;
    if (slot > now) await this.wait(slot - now);
  }

  /** Takes in the quota a server reports in an answer's headers (none: nothing changes). */
  observe(headers: Record<string, string | string[] | undefined>): void {
    const quota = reportedQuota(headers);
    if (!quota) return;
    const now = this.now();
    const resetAt = now + quota.resetSeconds * 1000;
    if (quota.remaining <= 0) this.pausedUntil = Math.max(this.pausedUntil, resetAt);
    const policy = tightestPolicy(headers);
    if (policy) this.policyInterval = (policy.windowSeconds * 1000) / (policy.quota * 0.8);
    // The policy's steady rate alone is not enough: the requests already sent in this window (the first
    // workers start together, before any answer) count against it, so what remains is spread to the reset too.
    const spendable = quota.remaining - this.margin;
    if (spendable <= 0) {
      this.pausedUntil = Math.max(this.pausedUntil, resetAt);
      return;
    }
    this.remainingInterval = (quota.resetSeconds * 1000) / spendable;
    this.paceEnds = resetAt;
  }
}

/** The RateLimit-Policy item with the lowest rate (`"name";q=…;w=…`); undefined without one. */
export function tightestPolicy(headers: Record<string, string | string[] | undefined>): { quota: number; windowSeconds: number } | undefined {
  const value = headers['ratelimit-policy'];
  const field = Array.isArray(value) ? value.join(', ') : value;
  if (!field) return undefined;
  const policies = field
    .split(',')
    .map((item) => ({ quota: Number(/;\s*q=(\d+)/.exec(item)?.[1]), windowSeconds: Number(/;\s*w=(\d+)/.exec(item)?.[1]) }))
    .filter((p) => p.quota > 0 && p.windowSeconds > 0);
  return policies.length ? policies.reduce((a, b) => (b.quota / b.windowSeconds < a.quota / a.windowSeconds ? b : a)) : undefined;
}

/** The tightest remaining quota an answer reports: RateLimit (draft) items first, else X-RateLimit-*. */
export function reportedQuota(headers: Record<string, string | string[] | undefined>): { remaining: number; resetSeconds: number } | undefined {
  const one = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const field = one('ratelimit');
  if (field) {
    const items = field.split(',').map((item) => ({ r: /;\s*r=(\d+)/.exec(item)?.[1], t: /;\s*t=(\d+)/.exec(item)?.[1] }));
    const read = items.filter((i) => i.r !== undefined && i.t !== undefined).map((i) => ({ remaining: Number(i.r), resetSeconds: Number(i.t) }));
    if (read.length) return read.reduce((a, b) => (b.remaining / Math.max(b.resetSeconds, 1) < a.remaining / Math.max(a.resetSeconds, 1) ? b : a));
  }
  const remaining = Number(one('x-ratelimit-remaining'));
  const reset = Number(one('x-ratelimit-reset'));
  // X-RateLimit-Reset is delta seconds for some servers and an epoch time for others (GitHub).
  if (!Number.isFinite(remaining) || !Number.isFinite(reset) || one('x-ratelimit-remaining') === undefined) return undefined;
  const resetSeconds = reset > 1_000_000_000 ? Math.max(0, reset - Date.now() / 1000) : reset;
  return { remaining, resetSeconds };
}

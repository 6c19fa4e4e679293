export interface RetryPolicy {
  /** Retries after the first attempt (so maxRetries + 1 attempts in all). */
  maxRetries: number;
  /** First backoff step; doubles with each retry. */
  baseDelayMs: number;
  /** Ceiling of the exponential step. */
  maxDelayMs: number;
  /** Longest Retry-After that is honoured as given; longer ones are clipped to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 6, baseDelayMs: 250, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

/** Statuses that mean "not now" rather than "not this": the same request may succeed later. */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 502, 503, 504]);

export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status);
}

/**
 * Exponential backoff with "equal jitter" (half fixed, half random), so that many clients backing
 * off together spread out, and a server's Retry-After (when longer) is honoured.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = step / 2 + random() * (step / 2);
  if (retryAfterMs === undefined) return Math.round(jittered);
  // A little jitter on top of Retry-After too, so that clients told the same instant do not return at it together.
  return Math.round(Math.min(policy.maxRetryAfterMs, retryAfterMs) + random() * Math.min(step / 2, 1000));
}

/** Retry-After as delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserError } from '../util/errors.js';
import { checkWholeNumber, shownValue } from '../util/whole-number.js';

/** One quota: `quota` requests per `windowSeconds`, per client. */
export interface RatePolicy {
  /** The policy's name in RateLimit-Policy / RateLimit ("per-second", "per-minute"). */
  name: string;
  quota: number;
  windowSeconds: number;
}

export interface RateLimitOptions {
  policies: RatePolicy[];
  /** Share of a quota (0..1) past which responses carry a Warning; default 0.8. */
  warnShare?: number;
  /** Epoch ms clock (tests move it); default Date.now. */
  now?: () => number;
}

const WINDOWS: Record<string, { name: string; seconds: number }> = {
  s: { name: 'per-second', seconds: 1 },
  sec: { name: 'per-second', seconds: 1 },
  m: { name: 'per-minute', seconds: 60 },
  min: { name: 'per-minute', seconds: 60 },
};

/**
 * `--rate-limit`: `N/s`, `N/min`, or both comma-separated (`10/s,300/min`). UserError naming the
 * option for anything else (exit 2).
 */
export function parseRateLimit(text: string): RatePolicy[] {
  const policies = text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*\/\s*(s|sec|m|min)\s*$/i.exec(part);
    const window = match ? WINDOWS[match[2]!.toLowerCase()] : undefined;
    const quota = Number(match?.[1]);
    if (!window || !Number.isSafeInteger(quota) || quota < 1) {
      throw new UserError(`--rate-limit ${text}: expected N/s, N/min or both (e.g. 10/s,300/min), N at least 1`);
    }
    return { name: window.name, quota, windowSeconds: window.seconds };
  });
  assertOneLimitPerWindow(policies, `--rate-limit ${text}`);
  return policies;
}

/** UserError `WHAT: one limit per window` when two policies share a window's name: `--rate-limit`'s and startServer's check. */
function assertOneLimitPerWindow(policies: readonly { name: string }[], what: string): void {
  if (new Set(policies.map((p) => p.name)).size !== policies.length) throw new UserError(`${what}: one limit per window`);
}

/**
 * startServer's `options.rateLimit` (`name`) as the server reads it: `{ policies: [{ name, quota, windowSeconds }, …],
 * warnShare? }`, at least one policy, `quota` and `windowSeconds` whole numbers ≥ 1, one policy per window name (as
 * `--rate-limit`, whose parseRateLimit makes the policies), `warnShare` a share in (0, 1]. One UserError line naming
 * the property otherwise (a string such as the CLI's `10/s` would throw a TypeError at the first request's count).
 */
export function checkRateLimitOptions(value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${name} ${shownValue(value)}: expected { policies: [{ name, quota, windowSeconds }, …], warnShare? } (the CLI's 10/s is { name: 'per-second', quota: 10, windowSeconds: 1 })`);
  }
  const { policies, warnShare } = value as { policies?: unknown; warnShare?: unknown };
  if (!Array.isArray(policies) || !policies.length) throw new UserError(`${name}.policies ${shownValue(policies)}: expected a list of at least one { name, quota, windowSeconds }`);
  policies.forEach((policy: unknown, i) => {
    const at = `${name}.policies[${i}]`;
    const p = (typeof policy === 'object' && policy !== null ? policy : {}) as Partial<Record<keyof RatePolicy, unknown>>;
    if (typeof p.name !== 'string' || p.name === '') throw new UserError(`${at}.name ${shownValue(p.name)}: expected the policy's name in the RateLimit headers (e.g. per-second)`);
    checkWholeNumber(`${at}.quota`, p.quota, { min: 1 });
    checkWholeNumber(`${at}.windowSeconds`, p.windowSeconds, { min: 1 });
  });
  assertOneLimitPerWindow(policies as RatePolicy[], `${name}.policies`);
  if (warnShare !== undefined && !(typeof warnShare === 'number' && warnShare > 0 && warnShare <= 1)) {
    throw new UserError(`${name}.warnShare ${shownValue(warnShare)}: expected a share above 0 up to 1 (0.8 = 80%)`);
  }
}

/** `--rate-limit-warn`: a percentage 1..100 (`80` or `80%`) as a share 0.01..1. */
export function parseWarnShare(text: string | number): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(String(text));
  const percent = Number(match?.[1]);
  if (!match || !(percent > 0 && percent <= 100)) throw new UserError(`--rate-limit-warn ${String(text)}: expected a percentage from 1 to 100`);
  return percent / 100;
}

/** Where one client stands in one policy's current window. */
interface Usage {
  policy: RatePolicy;
  used: number;
  /** Seconds until the window resets (at least 1). */
  reset: number;
}

/**
 * Per-client request quotas in fixed windows (aligned to the clock: a per-minute window resets on the
 * minute). Every answer carries RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-11,
 * May 2026: structured-field Lists `"name";q=…;w=…` and `"name";r=…;t=…`) and the widely used
 * X-RateLimit-Limit/Remaining/Reset (the tightest policy; Reset in seconds from now); from the request that
 * reaches the warn share (warnFrom) a `Warning: 199`; past the quota 429 with Retry-After and an OperationOutcome (`throttled`).
 * Refused requests do not count against the quota.
 */
export class RateLimit {
  /** `${policy}|${client}` → window start (epoch s) and requests counted in it. */
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly now: () => number;
  private readonly warnShare: number;
  private readonly policyHeader: string;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
    this.warnShare = options.warnShare ?? 0.8;
    this.policyHeader = options.policies.map((p) => `"${p.name}";q=${p.quota};w=${p.windowSeconds}`).join(', ');
  }

  /**
   * Counts the request against `client`'s quotas and sets the headers on `res`; on true the request
   * goes on, on false a 429 has been sent.
   */
  admit(client: string, res: ServerResponse): boolean {
    const nowSeconds = this.now() / 1000;
    const usages = this.options.policies.map((policy): Usage & { key: string; state: { start: number; count: number } } => {
      const key = `${policy.name}|${client}`;
      const start = Math.floor(nowSeconds / policy.windowSeconds) * policy.windowSeconds;
      let state = this.windows.get(key);
      if (!state || state.start !== start) {
        state = { start, count: 0 };
        this.windows.set(key, state);
      }
      return { policy, key, state, used: state.count, reset: Math.max(1, Math.ceil(start + policy.windowSeconds - nowSeconds)) };
    });
    const exceeded = usages.filter((u) => u.used >= u.policy.quota);
    if (!exceeded.length) for (const u of usages) u.state.count = ++u.used;
    this.setHeaders(res, usages);
    if (exceeded.length) {
      const wait = Math.max(...exceeded.map((u) => u.reset));
      const names = exceeded.map((u) => `${u.policy.quota} requests per ${u.policy.windowSeconds === 1 ? 'second' : 'minute'}`).join(' and ');
      const body = JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'throttled', details: { text: `rate limit of ${names} reached for this client; retry after ${wait} s` } }],
      });
      res.writeHead(429, { 'retry-after': String(wait), 'content-type': 'application/fhir+json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return false;
    }
    const warned = usages.filter((u) => u.used >= warnFrom(u.policy.quota, this.warnShare));
    if (warned.length) {
      const text = warned.map((u) => `${u.used} of ${u.policy.quota} requests used in the ${u.policy.name} window, resets in ${u.reset} s`).join('; ');
      res.setHeader('warning', `199 fhirseed "rate limit: ${text}"`);
    }
    return true;
  }

  private setHeaders(res: ServerResponse, usages: Usage[]): void {
    const remaining = (u: Usage) => Math.max(0, u.policy.quota - u.used);
    res.setHeader('ratelimit-policy', this.policyHeader);
    res.setHeader('ratelimit', usages.map((u) => `"${u.policy.name}";r=${remaining(u)};t=${u.reset}`).join(', '));
    // The X- trio names one policy: the one with the smallest share left.
    const tightest = usages.reduce((a, b) => (remaining(b) / b.policy.quota < remaining(a) / a.policy.quota ? b : a));
    res.setHeader('x-ratelimit-limit', String(tightest.policy.quota));
    res.setHeader('x-ratelimit-remaining', String(remaining(tightest)));
    res.setHeader('x-ratelimit-reset', String(tightest.reset));
  }
}

/**
 * Whose quota a request counts against: the client its valid token was issued to, else the static
 * token it carries, else the caller's IP address (also for unknown or expired tokens).
 */
export function rateLimitClient(req: IncomingMessage, tokenClient: (token: string) => string | undefined, staticTokens: readonly string[] = []): string {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const client = bearer ? tokenClient(bearer) : undefined;
  if (client) return `client:${client}`;
  if (bearer && staticTokens.includes(bearer)) return `token:${createHash('sha256').update(bearer).digest('hex').slice(0, 16)}`;
  return `ip:${req.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * The first request of a window (1-based count) that carries the rate-limit Warning: the one that reaches `share`
 * of `quota`, but never later than the one before the last allowed, so that a client is warned at least once before
 * a 429 however small the quota (5/s at 80 %: from the 4th; 1/s: the only one).
 */
export function warnFrom(quota: number, share: number): number {
  // 25 × 0.28 is 7.000000000000001 in binary floating point: without the allowance the 8th request, not the 7th, would
  // be the one that reaches 28 %.
  return Math.max(1, Math.min(Math.ceil(quota * share - 1e-9), quota - 1));
}

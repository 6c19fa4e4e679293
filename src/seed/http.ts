import { Agent, request, type Dispatcher } from 'undici';
import { fhirseedVersion } from '../util/paths.js';
import { UserError } from '../util/errors.js';
import { noAuth } from './auth/static.js';
import type { AuthProvider, AuthTransport } from './auth/types.js';
import { backoffDelay, isTransientStatus, parseRetryAfter, sleep, type RetryPolicy } from './backoff.js';
import { RateLimiter, Semaphore } from './limiter.js';
import { describeNetworkError, errorCode, isUnreachable } from './network-error.js';
import type { Redactor } from './redact.js';
import { speaksTls } from './tls-check.js';

/*
 * Why undici directly and not fhir-kit-client for requests: fhir-kit-client 2 builds a `Request` and
 * calls the global `fetch(req)` without an init, so no per-client dispatcher (connection cap) can be
 * passed; it has no timeout, retry or rate limit, and its errors drop the response headers' meaning
 * (Retry-After). fhir-kit-client's CapabilityTool is still used to read CapabilityStatements.
 */

export interface HttpClientOptions {
  baseUrl: string;
  /** Requests in flight at most (and sockets to the server). */
  concurrency: number;
  requestsPerSecond?: number;
  /** Per attempt, from sending to the last byte of the answer. */
  timeoutMs: number;
  retry: RetryPolicy;
  redactor: Redactor;
  random?: () => number;
  /**
   * Ctrl-C: once aborted, no request starts (send throws the signal's reason) and a GET or a token request in flight is
   * cut short, but a write in flight (PUT, POST, DELETE) runs to its answer or its timeout: that answer is what the
   * checkpoint records (README, Exit codes: "stopping after the requests in flight").
   */
  signal?: AbortSignal;
  /** Told before each retry, with the reason (already redacted). */
  onRetry?: (reason: string, delayMs: number) => void;
}

export interface FhirResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the raw text when not JSON, or undefined when empty. */
  body: unknown;
  /** Attempts it took (1 when the first one answered). */
  attempts: number;
}

/**
 * Transport failure (timeout, reset, refused) that outlasted every retry, or one that no retry can
 * mend before the server has answered at all (refused, unknown host, TLS): an environment problem,
 * exit 2, in one line.
 */
export class NetworkFailure extends UserError {
  constructor(message: string, readonly attempts: number) {
    super(message, 2);
    this.name = 'NetworkFailure';
  }
}

/** The server refused our credentials even after a fresh token: nothing else can succeed (exit 2). */
export class AuthRefused extends UserError {
  /** `request`: what was refused, `GET URL: HTTP 401`, which the message begins with (before its hint). */
  constructor(message: string, readonly request = message) {
    super(message, 2);
    this.name = 'AuthRefused';
  }
}

export class FhirHttpClient {
  readonly baseUrl: string;
  readonly stats = { requests: 0, retries: 0 };
  /** `stats.retries` by cause (`timeout`, `HTTP 503`, `connection closed`, `expired token`, …). */
  readonly retryCauses: Record<string, number> = {};
  /** Whether the server has answered anything yet: until it has, a refused connection is not retried. */
  private answered = false;
  private readonly agent: Agent;
  private readonly slots: Semaphore;
  private readonly limiter: RateLimiter;
  private readonly userAgent = `fhirseed/${fhirseedVersion()}`;
  auth: AuthProvider = noAuth();

  constructor(private readonly options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // One more socket than workers, so a token refresh never waits behind the data requests.
    this.agent = new Agent({ connections: options.concurrency + 1, keepAliveTimeout: 10_000, pipelining: 1 });
    this.slots = new Semaphore(options.concurrency);
    this.limiter = new RateLimiter(options.requestsPerSecond, undefined, undefined, options.concurrency);
  }

  /** A FHIR request, retried on 429/502/503/504/timeouts/resets with backoff and Retry-After. */
  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<FhirResponse> {
    const url = this.url(path);
    const text = body === undefined ? undefined : JSON.stringify(body);
    let reauthenticated = false;
    let resentAtOnce = false;
    for (let attempt = 1; ; attempt++) {
      this.throwIfAborted();
      const authorization = await this.auth.authorization();
      const all: Record<string, string> = { accept: 'application/fhir+json', 'user-agent': this.userAgent, ...headers };
      if (text !== undefined) all['content-type'] = 'application/fhir+json';
      if (authorization) all.authorization = authorization;
      let outcome: FhirResponse | Error;
      try {
        outcome = await this.slots.run(async () => {
          await this.limiter.take();
          // Waiting for a slot or the rate limit is not in flight: nothing starts after Ctrl-C.
          this.throwIfAborted();
          const answer = await this.attempt(method, url, text, all, method !== 'GET');
          this.limiter.observe(answer.headers);
          return answer;
        });
      } catch (error) {
        if (this.options.signal?.aborted) throw error;
        outcome = error instanceof Error ? error : new Error(String(error));
      }
      if (!(outcome instanceof Error)) {
        outcome.attempts = attempt;
        if (outcome.status === 401 && !reauthenticated && this.auth.invalidate()) {
          // The token expired in flight or was revoked: fetch a new one once, at once.
          reauthenticated = true;
          this.countRetry('expired token');
          attempt--;
          continue;
        }
        if (outcome.status === 401 || (outcome.status === 403 && this.auth.mode !== 'none')) {
          const refused = `${method} ${this.describe(url)}: HTTP ${outcome.status}`;
          throw new AuthRefused(`${refused} — ${authHint(outcome.status, this.auth.mode)}`, refused);
        }
        if (!isTransientStatus(outcome.status) || attempt > this.options.retry.maxRetries) return outcome;
      } else if (!resentAtOnce && this.answered && closedBeforeAnswer(outcome)) {
        // A kept-alive connection the server closed as this request went out on it (its idle timeout): sent again at
        // once on a new connection, once, outside --max-retries. The requests fhirseed repeats this way are PUTs and
        // Bundles of PUTs at fixed ids, which store nothing twice; the general retry below resends them too, later.
        resentAtOnce = true;
        this.countRetry('connection closed, resent at once');
        this.options.onRetry?.(this.reason(outcome, url), 0);
        attempt--;
        continue;
      } else if (!this.answered && attempt === 1 && (await this.httpToTls(url, outcome))) {
        // http:// to a port that speaks TLS: the server closes each plain request unanswered, however often it is sent.
        const https = this.baseUrl.replace(/^http:/i, 'https:');
        throw new NetworkFailure(`${method} ${this.describe(url)}: ${this.reason(outcome, url)}; that port speaks TLS: use https:// (--server ${https})`, attempt);
      } else if (attempt > this.options.retry.maxRetries || (!this.answered && isUnreachable(outcome))) {
        // Before the first answer, a refused connection or an unknown name is the setup, not a blip.
        const after = attempt > 1 ? ` (after ${attempt} attempts)` : '';
        throw new NetworkFailure(`${method} ${this.describe(url)}: ${this.reason(outcome, url)}${after}`, attempt);
      }
      const retryAfter = outcome instanceof Error ? undefined : parseRetryAfter(outcome.headers['retry-after']);
      const delay = backoffDelay(attempt, this.options.retry, retryAfter, this.options.random);
      this.countRetry(outcome instanceof Error ? retryCause(outcome) : `HTTP ${outcome.status}`);
      this.options.onRetry?.(outcome instanceof Error ? this.reason(outcome, url) : `HTTP ${outcome.status}`, delay);
      await sleep(delay);
    }
  }

  private throwIfAborted(): void {
    if (this.options.signal?.aborted) throw this.options.signal.reason ?? new Error('aborted');
  }

  /** Token and discovery requests: same agent and timeout, no retry, no auth header. */
  transport(): AuthTransport {
    const plain = async (method: string, url: string, body: string | undefined, headers: Record<string, string>) => {
      try {
        const r = await this.attempt(method, url, body, { accept: 'application/json', 'user-agent': this.userAgent, ...headers });
        return { status: r.status, body: r.body };
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        // Discovery or a token request can be the first contact (seed --auth smart-backend): the same http-to-TLS hint.
        const tls = !this.answered && (await this.httpToTls(url, failure)) ? `; that port speaks TLS: use https:// (--server ${this.baseUrl.replace(/^http:/i, 'https:')})` : '';
        throw new NetworkFailure(`${method} ${this.describe(url)}: ${this.reason(failure, url)}${tls}`, 1);
      }
    };
    return {
      getJson: (url) => plain('GET', url, undefined, {}),
      postForm: (url, form, headers = {}) =>
        plain('POST', url, new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers }),
    };
  }

  url(path: string): string {
    return /^https?:\/\//i.test(path) ? path : `${this.baseUrl}/${path.replace(/^\/+/, '')}`;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** One request; `finish` (a FHIR write): not cut short by Ctrl-C, only by the timeout (see HttpClientOptions.signal). */
  private async attempt(method: string, url: string, body: string | undefined, headers: Record<string, string>, finish = false): Promise<FhirResponse> {
    this.stats.requests++;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = this.options.signal && !finish ? AbortSignal.any([timeout, this.options.signal]) : timeout;
    try {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, { method: method as 'GET', headers, body, dispatcher: this.agent, signal });
      } catch (error) {
        if (error instanceof Error && CLOSED_CODES.has(errorCode(error) ?? '')) (error as ClosedError)[BEFORE_ANSWER] = true;
        throw error;
      }
      const text = await response.body.text();
      this.answered = true;
      return { status: response.statusCode, headers: response.headers, body: parseBody(text), attempts: 1 };
    } catch (error) {
      if (timeout.aborted && !this.options.signal?.aborted) throw new Error(`no answer within ${this.options.timeoutMs} ms`);
      throw error;
    }
  }

  /**
   * Whether a plain-http request closed before any answer (UND_ERR_SOCKET, ECONNRESET) went to a port that speaks TLS:
   * asked once, at first contact only, by a TLS handshake with the same host and port.
   */
  private async httpToTls(url: string, error: Error): Promise<boolean> {
    const code = errorCode(error);
    if (!/^http:\/\//i.test(url) || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) return false;
    return speaksTls(url, Math.min(this.options.timeoutMs, 5_000));
  }

  private countRetry(cause: string): void {
    this.stats.retries++;
    this.retryCauses[cause] = (this.retryCauses[cause] ?? 0) + 1;
  }

  private reason(error: Error, url: string): string {
    return this.options.redactor.redact(describeNetworkError(error, url));
  }

  /** A URL for messages: no query string (search values can be personal), no user info. */
  private describe(url: string): string {
    try {
      const u = new URL(url);
      return `${u.origin}${u.pathname}`;
    } catch {
      return '(url)';
    }
  }
}

/** A connection closed or reset by the other side (RST, FIN, a write to a closed socket). */
const CLOSED_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);
const BEFORE_ANSWER = Symbol('closed before the answer');
type ClosedError = Error & { [BEFORE_ANSWER]?: boolean };

/** Whether `error` is a connection closed before any of the answer (its status line and headers) came. */
function closedBeforeAnswer(error: Error): boolean {
  return (error as ClosedError)[BEFORE_ANSWER] === true;
}

/** A transport failure's cause as the seed summary counts it: `timeout`, `connection closed`, or its code. */
export function retryCause(error: Error): string {
  if (error.message.startsWith('no answer within')) return 'timeout';
  const code = errorCode(error);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection closed';
  return code ?? 'network error';
}

/** What to do about a 401 or 403: credentials are missing, wrong, or lack the access needed. */
function authHint(status: number, mode: AuthProvider['mode']): string {
  if (mode === 'none') return 'the server wants credentials: give --auth (bearer, basic, client-credentials or smart-backend) and its secret file or environment variable';
  if (status === 403) return `the server refused the credentials (${mode}) for this request: they lack the access (scopes, roles) it needs`;
  return `the server refused the credentials (${mode}); check the secret, and that --auth ${mode} is what the server expects`;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

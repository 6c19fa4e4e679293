import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { backoffDelay, isTransientStatus, sleep, type RetryPolicy } from './backoff.js';
import type { FhirHttpClient } from './http.js';
import type { Semaphore } from './limiter.js';
import { entryStatusCode } from './outcome.js';
import { isBundleTooLarge, statedLimit } from './too-large.js';

/**
 * One request of a purge: a re-read (`GET Type/id`), a delete of the version read (`DELETE Type/id`, If-Match), or a
 * search (`GET Type?search`: the plan's and the final check's counts).
 */
export interface PurgeRequest {
  method: 'GET' | 'DELETE';
  type: string;
  /** The resource's id; '' for a search. */
  id: string;
  /** A search's query (already URL-encoded, no `?`): the request is `GET Type?search`, not `Type/id`. */
  search?: string;
  /** The ETag of the version read, passed back as it came (never parsed). */
  ifMatch?: string;
}

/** The server's answer to one request, sent alone or as a batch entry. */
export interface PurgeAnswer {
  /** HTTP status; undefined when a batch entry's `response.status` has no leading code. */
  status: number | undefined;
  /** The ETag header (alone), or the entry's `response.etag`, else `W/"versionId"` of the entry's resource (batch). */
  etag?: string;
  /** The resource read, or the OperationOutcome (or text) of a failure. */
  body?: unknown;
}

/** How the sender talks to the server: `unknown` until a batch has been answered as one, `off` for a server without batch. */
export type BatchSupport = 'unknown' | 'works' | 'off';

/**
 * Sends purge's re-reads and deletes in `batch` Bundles (FHIR R4 http.html#transaction: `Bundle.type = batch`, each
 * entry's `request.method`/`url`/`ifMatch`, each entry answered on its own in a `batch-response`), or one request
 * each for a server without batch: one whose CapabilityStatement lists interactions but not `batch`, or that refuses
 * the first batch (any non-2xx that is not a too-large refusal, or a 200 that is not a `batch-response` with one
 * entry per request). A bundle refused as too large (413, or 400/422 saying so: too-large.ts) is split to the limit
 * the server names, else halved, and the limit kept. Whole requests are retried by the HTTP client (429/5xx,
 * timeouts, Retry-After); entries answered 408/425/429/502/503/504, or without a status, are sent again in later
 * rounds with backoff, at most `retry.maxRetries` rounds, as seed does. A network failure that outlasts the client's
 * retries is thrown (NetworkFailure, exit 2).
 */
export class PurgeSender {
  support: BatchSupport;
  /** Entries per batch at most: the server's max-bundle-size, or what it showed it takes. */
  bundleLimit: number;
  readonly stats = { batches: 0, single: 0, rounds: 0 };

  constructor(
    private readonly client: FhirHttpClient,
    private readonly slots: Semaphore,
    private readonly retry: RetryPolicy,
    capabilities: { batch: boolean | undefined; maxBundleSize?: number },
    private readonly log?: (line: string) => void,
    private readonly random: () => number = Math.random,
  ) {
    this.support = capabilities.batch === false ? 'off' : 'unknown';
    this.bundleLimit = capabilities.maxBundleSize ?? 100;
  }

  /** The answers, in the order of `requests`. */
  async send(requests: readonly PurgeRequest[]): Promise<PurgeAnswer[]> {
    const answers: PurgeAnswer[] = new Array(requests.length);
    let pending = requests.map((_, i) => i);
    for (let round = 1; pending.length; round++) {
      const got = await this.sendOnce(pending.map((i) => requests[i]!));
      const again: number[] = [];
      got.forEach((answer, k) => {
        const i = pending[k]!;
        if (answer.retryable && round <= this.retry.maxRetries) again.push(i);
        else answers[i] = answer.answer;
      });
      pending = again;
      if (pending.length) {
        this.stats.rounds++;
        await sleep(backoffDelay(round, this.retry, undefined, this.random));
      }
    }
    return answers;
  }

  private async sendOnce(requests: PurgeRequest[]): Promise<{ answer: PurgeAnswer; retryable: boolean }[]> {
    if (this.support === 'off' || requests.length === 1) return (await this.alone(requests)).map((answer) => ({ answer, retryable: false }));
    if (requests.length > this.bundleLimit) {
      const out: { answer: PurgeAnswer; retryable: boolean }[] = [];
      // The limit may shrink while a piece is out: step by what was sent.
      for (let i = 0; i < requests.length; ) {
        const piece = requests.slice(i, i + this.bundleLimit);
        out.push(...(await this.sendOnce(piece)));
        i += piece.length;
      }
      return out;
    }
    const bundle: Bundle = { resourceType: 'Bundle', type: 'batch', entry: requests.map(batchEntry) };
    this.stats.batches++;
    const response = await this.slots.run(() => this.client.send('POST', '', bundle));
    if (isBundleTooLarge(response.status, response.body)) {
      this.bundleLimit = Math.min(this.bundleLimit, statedLimit(response.body, requests.length) ?? Math.ceil(requests.length / 2));
      this.log?.(`purge: the server takes at most ${this.bundleLimit} entries per batch`);
      return this.sendOnce(requests);
    }
    const body = response.body as Bundle | undefined;
    const entries = body?.resourceType === 'Bundle' && body.type === 'batch-response' ? (body.entry ?? []) : undefined;
    if (response.status === 200 && entries?.length === requests.length) {
      this.support = 'works';
      return entries.map((entry) => {
        const answer = entryAnswer(entry);
        return { answer, retryable: answer.status === undefined || isTransientStatus(answer.status) };
      });
    }
    if (isTransientStatus(response.status)) {
      // Still refused after the client's retries: each request ends with that answer, as seed's bundles do.
      return requests.map(() => ({ answer: { status: response.status, body: response.body }, retryable: false }));
    }
    if (this.support === 'unknown') {
      this.support = 'off';
      this.log?.(`purge: the server did not answer a batch (HTTP ${response.status}${response.status === 200 ? `, not a batch-response with ${requests.length} entries` : ''}): one request per resource`);
    }
    // Refused as a whole, or answered with something else: each request alone gets its own answer.
    return (await this.alone(requests)).map((answer) => ({ answer, retryable: false }));
  }

  private alone(requests: PurgeRequest[]): Promise<PurgeAnswer[]> {
    return Promise.all(
      requests.map((r) =>
        this.slots.run(async () => {
          this.stats.single++;
          const response = await this.client.send(r.method, path(r), undefined, r.ifMatch ? { 'if-match': r.ifMatch } : {});
          const etag = response.headers.etag;
          return { status: response.status, ...(typeof etag === 'string' ? { etag } : {}), body: response.body };
        }),
      ),
    );
  }
}

function path(r: PurgeRequest): string {
  return r.search === undefined ? `${r.type}/${encodeURIComponent(r.id)}` : `${r.type}?${r.search}`;
}

function batchEntry(r: PurgeRequest): BundleEntry {
  return { request: { method: r.method, url: path(r), ...(r.ifMatch ? { ifMatch: r.ifMatch } : {}) } };
}

function entryAnswer(entry: BundleEntry): PurgeAnswer {
  const status = entryStatusCode(entry.response?.status);
  const resource = entry.resource as Resource | undefined;
  // R4 http.html#versioning: the ETag of a version is W/"versionId"; a batch entry carries it in response.etag, if at all.
  const etag = entry.response?.etag ?? (resource?.meta?.versionId ? `W/"${resource.meta.versionId}"` : undefined);
  return { status, ...(etag ? { etag } : {}), body: resource ?? entry.response?.outcome };
}

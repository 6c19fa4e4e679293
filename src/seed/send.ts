import type { Bundle, BundleEntry, OperationOutcome } from '@medplum/fhirtypes';
import { stableUuid } from '../output/bundle.js';
import { backoffDelay, isTransientStatus, sleep, type RetryPolicy } from './backoff.js';
import type { FhirHttpClient, FhirResponse } from './http.js';
import { describeFailure, entryStatusCode, isOperationOutcome, syntheticOutcome } from './outcome.js';
import type { Redactor } from './redact.js';
import type { SeedEntry } from './source.js';
import { isBundleTooLarge, statedLimit } from './too-large.js';

export type SeedMode = 'transaction' | 'batch' | 'upsert';
export const SEED_MODES: readonly SeedMode[] = ['transaction', 'batch', 'upsert'];

export interface EntryResult {
  entry: SeedEntry;
  ok: boolean;
  status?: number;
  /** For failures: worth another round (an entry-level 429/503, a malformed answer). */
  transient?: boolean;
  reason?: string;
  outcome?: OperationOutcome;
  /** A 200 whose outcome says the update changed nothing. */
  unchanged?: boolean;
}

/** HAPI FHIR's "no changes were detected" answer to an update (code SUCCESSFUL_UPDATE_NO_CHANGE), which fhirseed serve gives too. */
function saysUnchanged(outcome: unknown): boolean {
  if (!isOperationOutcome(outcome)) return false;
  return (outcome.issue ?? []).some(
    (issue) => issue.details?.coding?.some((c) => c.code === 'SUCCESSFUL_UPDATE_NO_CHANGE') || /no changes were detected/i.test(issue.diagnostics ?? ''),
  );
}

export interface SendStats {
  sent: number;
  created: number;
  updated: number;
  /** Updates the server reports as changing nothing (it kept the version: HAPI, fhirseed serve). */
  unchanged: number;
  /** Entry attempts that failed, including those that later succeeded. */
  failed: number;
  /** Requests and entry rounds repeated. */
  retried: number;
  /** Entry rounds repeated, by the first retried entry's cause (`entry HTTP 503`, `entry unanswered`). */
  retryCauses: Record<string, number>;
}

/**
 * Sends chunks in one of three modes and checks every entry's own status: a 200 on a batch or
 * transaction says nothing about its entries (some servers apply transactions partially).
 * Whole requests are retried by the HTTP client; entries that fail transiently inside a 200 answer
 * are re-sent here in further rounds. Each entry ends ok, or failed with its reason and outcome.
 * A transport failure that outlasted the client's retries (NetworkFailure: refused, reset, DNS, TLS,
 * timeout) is thrown, not turned into entry failures: the server is gone, not refusing these entries,
 * and the run stops (seed.ts) instead of dead-lettering everything after it.
 */
export class ChunkSender {
  readonly stats: SendStats = { sent: 0, created: 0, updated: 0, unchanged: 0, failed: 0, retried: 0, retryCauses: {} };
  /**
   * Entries per bundle the server has shown it takes at most (it refused more as too large: 413, or
   * 400 with an outcome saying so); larger chunks are split, in order, before they are sent.
   */
  bundleLimit = Number.POSITIVE_INFINITY;

  constructor(
    private readonly client: FhirHttpClient,
    private readonly mode: SeedMode,
    private readonly retry: RetryPolicy,
    private readonly redactor: Redactor,
    private readonly random: () => number = Math.random,
  ) {}

  async send(chunk: readonly SeedEntry[]): Promise<EntryResult[]> {
    this.stats.sent += chunk.length;
    const final: EntryResult[] = [];
    let pending = [...chunk];
    for (let round = 1; pending.length; round++) {
      const results = await this.sendOnce(pending);
      pending = [];
      let cause: string | undefined;
      for (const r of results) {
        if (r.ok) {
          if (r.status === 201) this.stats.created++;
          else if (r.unchanged) this.stats.unchanged++;
          else this.stats.updated++;
          final.push(r);
          continue;
        }
        this.stats.failed++;
        if (r.transient && round <= this.retry.maxRetries) {
          pending.push(r.entry);
          cause ??= r.status ? `entry HTTP ${r.status}` : 'entry unanswered';
        } else final.push(r);
      }
      if (pending.length) {
        this.stats.retried++;
        const key = cause ?? 'entry';
        this.stats.retryCauses[key] = (this.stats.retryCauses[key] ?? 0) + 1;
        await sleep(backoffDelay(round, this.retry, undefined, this.random));
      }
    }
    return final;
  }

  private sendOnce(entries: SeedEntry[]): Promise<EntryResult[]> {
    return this.mode === 'upsert' ? this.putEach(entries) : this.sendBundle(entries, this.mode);
  }

  private async putEach(entries: SeedEntry[]): Promise<EntryResult[]> {
    const results: EntryResult[] = [];
    for (const entry of entries) {
      // An OperationOutcome instead of the resource (R4 http.html#ops): HAPI and fhirseed serve say in it when the update
      // changed nothing, as they do in a transaction's entries; a server that ignores Prefer answers the resource.
      const response = await this.client.send('PUT', `${entry.type}/${encodeURIComponent(entry.id)}`, entry.resource, { prefer: 'return=OperationOutcome' });
      if (response.status === 200 || response.status === 201) {
        results.push({ entry, ok: true, status: response.status, ...(response.status === 200 && saysUnchanged(response.body) ? { unchanged: true } : {}) });
      } else {
        results.push(this.failure(entry, response.status, response.body, false));
      }
    }
    return results;
  }

  private async sendBundle(entries: SeedEntry[], type: 'transaction' | 'batch'): Promise<EntryResult[]> {
    if (entries.length > this.bundleLimit) {
      // Pieces in order, each after the one before: a later piece may refer to an earlier one.
      const results: EntryResult[] = [];
      // The limit may shrink while a piece is out (another worker learns it): step by what was sent.
      for (let i = 0; i < entries.length; ) {
        const piece = entries.slice(i, i + this.bundleLimit);
        results.push(...(await this.sendBundle(piece, type)));
        i += piece.length;
      }
      return results;
    }
    // No id on the Bundle we POST; lower-case urn:uuid fullUrls; PUT at the deterministic id.
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type,
      entry: entries.map((e): BundleEntry => {
        const url = `${e.type}/${e.id}`;
        return { fullUrl: `urn:uuid:${stableUuid(url)}`, resource: e.resource, request: { method: 'PUT', url } };
      }),
    };
    const response = await this.client.send('POST', '', bundle);
    if (entries.length > 1 && isBundleTooLarge(response.status, response.body)) {
      // Too large for this server: the limit it names, else half; remembered for every later bundle.
      this.bundleLimit = Math.min(this.bundleLimit, statedLimit(response.body, entries.length) ?? Math.ceil(entries.length / 2));
      return this.sendBundle(entries, type);
    }
    if (response.status === 200) return this.checkEntries(entries, response, `${type}-response`);
    if (!isTransientStatus(response.status) && entries.length > 1) {
      // The server refused the bundle as a whole (one bad entry fails a transaction): send each
      // entry alone, so that the good ones land and each bad one is reported with its own outcome.
      return this.putEach(entries);
    }
    return entries.map((e) => this.failure(e, response.status, response.body, false));
  }

  private checkEntries(entries: SeedEntry[], response: FhirResponse, expectedType: string): EntryResult[] {
    const body = response.body as Bundle | undefined;
    const answers = body?.resourceType === 'Bundle' ? (body.entry ?? []) : [];
    if (body?.resourceType !== 'Bundle' || body.type !== expectedType || answers.length !== entries.length) {
      const problem = `HTTP 200 but the answer is not a ${expectedType} with ${entries.length} entries (got ${body?.resourceType ?? typeof body}${body?.resourceType === 'Bundle' ? ` ${body.type} with ${answers.length}` : ''})`;
      return entries.map((e) => ({ entry: e, ok: false, transient: true, reason: problem, outcome: syntheticOutcome(problem, 'processing') }));
    }
    return entries.map((entry, i) => {
      const answer = answers[i]!.response;
      const status = entryStatusCode(answer?.status);
      if (status !== undefined && status >= 200 && status < 300) return { entry, ok: true, status, ...(saysUnchanged(answer?.outcome) ? { unchanged: true } : {}) };
      return this.failure(entry, status, answer?.outcome, status === undefined || isTransientStatus(status));
    });
  }

  private failure(entry: SeedEntry, status: number | undefined, outcome: unknown, transient: boolean): EntryResult {
    const oo = isOperationOutcome(outcome) ? outcome : syntheticOutcome(describeFailure(status, outcome, 'no outcome given'));
    return { entry, ok: false, status, transient, reason: this.redactor.redact(describeFailure(status, oo)), outcome: this.redactor.redactJson(oo) };
  }
}

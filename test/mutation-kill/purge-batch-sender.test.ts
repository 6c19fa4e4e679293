import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../../src/seed/backoff.js';
import type { FhirHttpClient, FhirResponse } from '../../src/seed/http.js';
import { Semaphore } from '../../src/seed/limiter.js';
import { PurgeSender, type PurgeRequest } from '../../src/seed/purge-batch.js';

/**
 * src/seed/purge-batch.ts's PurgeSender on its own, against a scripted client (no server, no sockets): what it sends
 * (the batch Bundle, each lone request and its If-Match), how it reads a batch-response entry (status, ETag, body),
 * when it stops batching, how it splits a bundle too large, and its entry-level rounds. Written for the mutants
 * Stryker left alive with the server-backed purge tests (docs/mutation-testing.md).
 */

interface Sent {
  method: string;
  path: string;
  body?: unknown;
  headers: Record<string, string>;
}

/** Answers each request with `answer(sent)`; a lone GET/DELETE answers 200 with an ETag of its id by default. */
function scripted(answer: (s: Sent, n: number) => Partial<FhirResponse> | undefined = () => undefined) {
  const sent: Sent[] = [];
  const client = {
    send: async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<FhirResponse> => {
      const s = { method, path, body, headers };
      sent.push(s);
      const given = answer(s, sent.length - 1);
      if (given) return { status: 200, headers: {}, body: undefined, attempts: 1, ...given };
      if (method === 'POST') return { status: 200, headers: {}, body: batchResponse((body as Bundle).entry ?? []), attempts: 1 };
      return { status: method === 'DELETE' ? 204 : 200, headers: method === 'GET' ? { etag: `W/"${path}"` } : {}, body: method === 'GET' ? { resourceType: 'Patient', id: path } : undefined, attempts: 1 };
    },
  } as unknown as FhirHttpClient;
  return { client, sent };
}

/** A batch-response answering every entry 200 with a resource of version 3 (no response.etag). */
function batchResponse(entries: BundleEntry[], status = '200 OK'): Bundle {
  return { resourceType: 'Bundle', type: 'batch-response', entry: entries.map((e) => ({ resource: { resourceType: 'Patient', id: e.request!.url, meta: { versionId: '3' } }, response: { status } })) };
}

/** `POST n` (entries) for a batch, `METHOD path` for a lone request. */
const described = (r: Sent) => (r.method === 'POST' ? `POST ${(r.body as Bundle).entry!.length}` : `${r.method} ${r.path}`);

const RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 2 };
const reads = (n: number, type = 'Patient'): PurgeRequest[] => Array.from({ length: n }, (_, i) => ({ method: 'GET', type, id: `p${i}` }));

function sender(client: FhirHttpClient, capabilities: { batch: boolean | undefined; maxBundleSize?: number } = { batch: undefined }, retry = RETRY) {
  const log: string[] = [];
  return { s: new PurgeSender(client, new Semaphore(2), retry, capabilities, (l) => log.push(l), () => 0.5), log };
}

describe('PurgeSender: batches', () => {
  it('should send a batch Bundle to the base, one entry per request with its method, url (id encoded) and ifMatch when given', async () => {
    const { client, sent } = scripted();
    const { s } = sender(client);
    const answers = await s.send([
      { method: 'GET', type: 'Patient', id: 'a b' },
      { method: 'DELETE', type: 'Coverage', id: 'c/1', ifMatch: 'W/"4"' },
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', path: '' });
    expect(sent[0]!.body).toEqual({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ request: { method: 'GET', url: 'Patient/a%20b' } }, { request: { method: 'DELETE', url: 'Coverage/c%2F1', ifMatch: 'W/"4"' } }],
    });
    expect(answers).toEqual([
      { status: 200, etag: 'W/"3"', body: { resourceType: 'Patient', id: 'Patient/a%20b', meta: { versionId: '3' } } },
      { status: 200, etag: 'W/"3"', body: { resourceType: 'Patient', id: 'Coverage/c%2F1', meta: { versionId: '3' } } },
    ]);
    expect(s.support).toBe('works');
    expect(s.stats).toEqual({ batches: 1, single: 0, rounds: 0 });
  });

  it("should read each entry's status code, its response.etag before the resource's version, and its outcome when it has no resource", async () => {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict' }] };
    const { client } = scripted((r) =>
      r.method === 'POST'
        ? {
            body: {
              resourceType: 'Bundle',
              type: 'batch-response',
              entry: [
                { resource: { resourceType: 'Patient', id: 'p0', meta: { versionId: '3' } }, response: { status: '200 OK', etag: 'W/"9"' } },
                { resource: { resourceType: 'Patient', id: 'p1' }, response: { status: '200' } },
                { response: { status: '409 Conflict', outcome } },
                { response: { status: '204' } },
              ],
            },
          }
        : undefined,
    );
    const { s } = sender(client);
    const answers = await s.send(reads(4));
    expect(answers).toEqual([
      { status: 200, etag: 'W/"9"', body: { resourceType: 'Patient', id: 'p0', meta: { versionId: '3' } } },
      { status: 200, body: { resourceType: 'Patient', id: 'p1' } },
      { status: 409, body: outcome },
      { status: 204, body: undefined },
    ]);
    expect(answers.map((a) => 'etag' in a)).toEqual([true, false, false, false]);
  });

  it('should send a lone request as itself, batch support still unknown', async () => {
    const { client, sent } = scripted();
    const { s } = sender(client);
    expect(await s.send([{ method: 'DELETE', type: 'Patient', id: 'x', ifMatch: 'W/"2"' }])).toEqual([{ status: 204, body: undefined }]);
    expect(sent).toEqual([{ method: 'DELETE', path: 'Patient/x', body: undefined, headers: { 'if-match': 'W/"2"' } }]);
    expect(s.support).toBe('unknown');
    expect(s.stats).toEqual({ batches: 0, single: 1, rounds: 0 });
  });

  it('should answer an empty list with nothing sent', async () => {
    const { client, sent } = scripted();
    expect(await sender(client).s.send([])).toEqual([]);
    expect(sent).toEqual([]);
  });
});

describe('PurgeSender: one request each', () => {
  it('should send one request each to a server without batch, If-Match only when an ETag was read, the ETag header kept only when text', async () => {
    const { client, sent } = scripted((r) => (r.path === 'Patient/p1' ? { status: 200, headers: { etag: ['W/"1"', 'W/"2"'] }, body: { resourceType: 'Patient', id: 'p1' } } : undefined));
    const { s } = sender(client, { batch: false });
    expect(s.support).toBe('off');
    const answers = await s.send([
      { method: 'GET', type: 'Patient', id: 'p0' },
      { method: 'GET', type: 'Patient', id: 'p1' },
      { method: 'DELETE', type: 'Patient', id: 'p2', ifMatch: 'W/"5"' },
    ]);
    expect(sent.map((r) => [r.method, r.path, r.headers])).toEqual([
      ['GET', 'Patient/p0', {}],
      ['GET', 'Patient/p1', {}],
      ['DELETE', 'Patient/p2', { 'if-match': 'W/"5"' }],
    ]);
    expect(answers).toEqual([
      { status: 200, etag: 'W/"Patient/p0"', body: { resourceType: 'Patient', id: 'Patient/p0' } },
      { status: 200, body: { resourceType: 'Patient', id: 'p1' } },
      { status: 204, body: undefined },
    ]);
    expect(s.stats).toEqual({ batches: 0, single: 3, rounds: 0 });
  });

  it('should hold to the semaphore: no more lone requests in flight than its slots', async () => {
    let inFlight = 0;
    let most = 0;
    const client = {
      send: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return { status: 204, headers: {}, body: undefined, attempts: 1 };
      },
    } as unknown as FhirHttpClient;
    const s = new PurgeSender(client, new Semaphore(3), RETRY, { batch: false });
    await s.send(reads(10));
    expect(most).toBe(3);
  });

  for (const [what, answer, line] of [
    ['refused (405)', { status: 405, body: { resourceType: 'OperationOutcome', issue: [] } }, 'purge: the server did not answer a batch (HTTP 405): one request per resource'],
    ['answered 200 with a searchset', { status: 200, body: { resourceType: 'Bundle', type: 'searchset', entry: [] } }, 'purge: the server did not answer a batch (HTTP 200, not a batch-response with 2 entries): one request per resource'],
    ['answered 200 with a transaction-response', { status: 200, body: { resourceType: 'Bundle', type: 'transaction-response', entry: [{}, {}] } }, 'purge: the server did not answer a batch (HTTP 200, not a batch-response with 2 entries): one request per resource'],
    ['answered 200 with an OperationOutcome', { status: 200, body: { resourceType: 'OperationOutcome', type: 'batch-response', entry: [{}, {}] } }, 'purge: the server did not answer a batch (HTTP 200, not a batch-response with 2 entries): one request per resource'],
    ['answered 200 with too few entries', { status: 200, body: { resourceType: 'Bundle', type: 'batch-response', entry: [{ response: { status: '200' } }] } }, 'purge: the server did not answer a batch (HTTP 200, not a batch-response with 2 entries): one request per resource'],
    ['answered 200 with no entry list', { status: 200, body: { resourceType: 'Bundle', type: 'batch-response' } }, 'purge: the server did not answer a batch (HTTP 200, not a batch-response with 2 entries): one request per resource'],
    ['answered 201 with a batch-response', { status: 201, body: batchResponse([{ request: { method: 'GET', url: 'a' } }, { request: { method: 'GET', url: 'b' } }]) }, 'purge: the server did not answer a batch (HTTP 201): one request per resource'],
  ] as const) {
    it(`should stop batching when the first batch is ${what}, say so once, and send each request alone`, async () => {
      const { client, sent } = scripted((r) => (r.method === 'POST' ? (answer as Partial<FhirResponse>) : undefined));
      const { s, log } = sender(client);
      const answers = await s.send(reads(2));
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers.map((a) => a.etag)).toEqual(['W/"Patient/p0"', 'W/"Patient/p1"']);
      expect(s.support).toBe('off');
      expect(log).toEqual([line]);
      await s.send(reads(3));
      expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(['POST ', 'GET Patient/p0', 'GET Patient/p1', 'GET Patient/p0', 'GET Patient/p1', 'GET Patient/p2']);
      expect(s.stats).toEqual({ batches: 1, single: 5, rounds: 0 });
      expect(log).toHaveLength(1);
    });
  }

  it('should stop batching when the first batch is refused without a body', async () => {
    const { client, sent } = scripted((r) => (r.method === 'POST' ? { status: 404, body: undefined } : undefined));
    const { s, log } = sender(client);
    expect((await s.send(reads(2))).map((a) => a.status)).toEqual([200, 200]);
    expect(s.support).toBe('off');
    expect(log).toEqual(['purge: the server did not answer a batch (HTTP 404): one request per resource']);
    expect(sent.map(described)).toEqual(['POST 2', 'GET Patient/p0', 'GET Patient/p1']);
  });

  it('should work without a log: a refused batch and one too large are still handled', async () => {
    for (const refusal of [{ status: 405, body: undefined }, { status: 413, body: 'Request Entity Too Large' }]) {
      const { client } = scripted((r) => (r.method === 'POST' && (r.body as Bundle).entry!.length > 2 ? refusal : undefined));
      const s = new PurgeSender(client, new Semaphore(2), RETRY, { batch: undefined });
      expect((await s.send(reads(4))).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    }
  });

  it('should keep batching after one odd answer once batches have worked, sending that batch alone without a word', async () => {
    const { client, sent } = scripted((r, n) => (r.method === 'POST' && n === 1 ? { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'bad entry' }] } } : undefined));
    const { s, log } = sender(client);
    await s.send(reads(2));
    expect(s.support).toBe('works');
    const answers = await s.send(reads(2));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(s.support).toBe('works');
    expect(log).toEqual([]);
    await s.send(reads(2));
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(['POST ', 'POST ', 'GET Patient/p0', 'GET Patient/p1', 'POST ']);
  });

  it('should give every request of a batch still refused as busy (5xx after the client retries) that answer, with no fallback', async () => {
    const busy = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'busy' }] };
    const { client, sent } = scripted((r) => (r.method === 'POST' ? { status: 503, body: busy } : undefined));
    const { s, log } = sender(client);
    expect(await s.send(reads(3))).toEqual([
      { status: 503, body: busy },
      { status: 503, body: busy },
      { status: 503, body: busy },
    ]);
    // Not entry-level: the client already retried the whole request, so no more rounds.
    expect(sent).toHaveLength(1);
    expect(s.support).toBe('unknown');
    expect(log).toEqual([]);
    expect(s.stats.rounds).toBe(0);
  });
});

describe('PurgeSender: bundle size', () => {
  it('should take at most 100 entries per batch by default, and the statement\'s max-bundle-size when given', async () => {
    for (const [capabilities, sizes] of [
      [{ batch: true }, [100, 100, 50]],
      [{ batch: undefined, maxBundleSize: 40 }, [40, 40, 40, 40, 40, 40, 10]],
    ] as const) {
      const { client, sent } = scripted();
      const { s } = sender(client, capabilities);
      const answers = await s.send(reads(250));
      expect(answers).toHaveLength(250);
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(sent.map((r) => (r.body as Bundle).entry!.length)).toEqual(sizes);
      // Each answer is its own request's, across the pieces.
      expect(sent.flatMap((r) => (r.body as Bundle).entry!.map((e) => e.request!.url))).toEqual(reads(250).map((r) => `Patient/${r.id}`));
      expect(answers.map((a) => (a.body as { id: string }).id)).toEqual(reads(250).map((r) => `Patient/${r.id}`));
    }
  });

  it('should split a batch refused as too large to the limit the server names, keep it, and say so', async () => {
    const tooLarge = (limit: number) => ({ status: 413, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: `Maximum number of entries for a Bundle is ${limit}` }] } });
    const { client, sent } = scripted((r) => (r.method === 'POST' && (r.body as Bundle).entry!.length > 3 ? tooLarge(3) : undefined));
    const { s, log } = sender(client);
    const answers = await s.send(reads(8));
    expect(answers.map((a) => (a.body as { id: string }).id)).toEqual(reads(8).map((r) => `Patient/${r.id}`));
    expect(sent.map((r) => (r.body as Bundle).entry!.length)).toEqual([8, 3, 3, 2]);
    expect(s.bundleLimit).toBe(3);
    expect(log).toEqual(['purge: the server takes at most 3 entries per batch']);
    expect(s.support).toBe('works');
    await s.send(reads(4));
    // A piece of one goes alone.
    expect(sent.slice(4).map(described)).toEqual(['POST 3', 'GET Patient/p3']);
  });

  it('should halve (rounding up) a batch refused as too large without a limit, and never raise the limit it has', async () => {
    const refusal = { status: 413, body: 'Request Entity Too Large' };
    const { client, sent } = scripted((r) => (r.method === 'POST' && (r.body as Bundle).entry!.length > 2 ? refusal : undefined));
    const { s, log } = sender(client, { batch: true, maxBundleSize: 5 });
    await s.send(reads(5));
    // 5 refused → 3 (5/2 rounded up), refused → 2 and the third alone; then the last 2 of the 5.
    expect(sent.map(described)).toEqual(['POST 5', 'POST 3', 'POST 2', 'GET Patient/p2', 'POST 2']);
    expect(s.bundleLimit).toBe(2);
    expect(log).toEqual(['purge: the server takes at most 3 entries per batch', 'purge: the server takes at most 2 entries per batch']);
  });

  it('should keep the lower limit when a batch sent before it was set is refused naming a higher one', async () => {
    // Two sends at once (purge's types run side by side): both batches are out before either refusal comes back.
    const sent: string[] = [];
    const client = {
      send: async (method: string, path: string, body?: unknown): Promise<FhirResponse> => {
        const entries = (body as Bundle | undefined)?.entry ?? [];
        sent.push(method === 'POST' ? `POST ${entries.length}` : `${method} ${path}`);
        await new Promise((r) => setTimeout(r, 1));
        if (method !== 'POST') return { status: 200, headers: {}, body: { resourceType: 'Patient', id: path }, attempts: 1 };
        if (entries.length > 2) {
          const limit = entries.length === 5 ? 4 : 2;
          return { status: 413, headers: {}, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: `Maximum number of entries for a Bundle is ${limit}` }] }, attempts: 1 };
        }
        return { status: 200, headers: {}, body: batchResponse(entries), attempts: 1 };
      },
    } as unknown as FhirHttpClient;
    const s = new PurgeSender(client, new Semaphore(4), RETRY, { batch: true });
    const [a, b] = await Promise.all([s.send(reads(6)), s.send(reads(5, 'Coverage'))]);
    expect(a.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(b.map((x) => x.status)).toEqual([200, 200, 200, 200, 200]);
    expect(s.bundleLimit).toBe(2);
    expect(sent.slice(0, 2)).toEqual(['POST 6', 'POST 5']);
    expect(sent).not.toContain('POST 4');
  });
});

describe('PurgeSender: entry rounds', () => {
  /** A server whose batch-responses answer some entries with `status(url, round)` (undefined: 200). */
  function flaky(status: (url: string, round: number) => string | undefined) {
    let round = 0;
    return scripted((r) => {
      if (r.method !== 'POST') return undefined;
      round++;
      const entries = (r.body as Bundle).entry!;
      return {
        body: {
          resourceType: 'Bundle',
          type: 'batch-response',
          entry: entries.map((e) => {
            const s = status(e.request!.url, round);
            return s === undefined ? { resource: { resourceType: 'Patient', id: e.request!.url, meta: { versionId: '1' } }, response: { status: '200' } } : { response: { status: s } };
          }),
        },
      };
    });
  }

  it('should send again, in later rounds, only the entries answered busy or without a status, and keep every answer in its place', async () => {
    const { client, sent } = flaky((url, round) => (round === 1 && (url === 'Patient/p1' || url === 'Patient/p3') ? (url === 'Patient/p1' ? '429' : 'OK') : undefined));
    const { s } = sender(client);
    const answers = await s.send(reads(4));
    expect(answers.map((a) => [a.status, (a.body as { id: string }).id])).toEqual(reads(4).map((r) => [200, `Patient/${r.id}`]));
    expect(sent.map((r) => (r.body as Bundle).entry!.map((e) => e.request!.url))).toEqual([reads(4).map((r) => `Patient/${r.id}`), ['Patient/p1', 'Patient/p3']]);
    expect(s.stats.rounds).toBe(1);
  });

  it('should send again an entry answered without a response, as one without a status', async () => {
    let round = 0;
    const { client, sent } = scripted((r) => {
      if (r.method !== 'POST') return undefined;
      const entries = (r.body as Bundle).entry!;
      const answered = batchResponse(entries);
      if (++round === 1) answered.entry![1] = {};
      return { body: answered };
    });
    const { s } = sender(client);
    const answers = await s.send(reads(3));
    expect(answers.map((a) => [a.status, (a.body as { id: string }).id])).toEqual([
      [200, 'Patient/p0'],
      [200, 'Patient/p1'],
      [200, 'Patient/p2'],
    ]);
    expect(sent.map(described)).toEqual(['POST 3', 'GET Patient/p1']);
  });

  it('should stop after maxRetries more rounds and keep the last answer; a non-busy refusal is kept at once', async () => {
    const { client, sent } = flaky((url) => (url === 'Patient/p0' ? '503 Service Unavailable' : url === 'Patient/p1' ? '404 Not Found' : url === 'Patient/p2' ? '504' : undefined));
    const { s } = sender(client);
    const answers = await s.send(reads(3));
    expect(answers.map((a) => a.status)).toEqual([503, 404, 504]);
    // Round 1 with all three; rounds 2 and 3 (maxRetries 2) with the busy two.
    expect(sent.map((r) => (r.body as Bundle).entry!.length)).toEqual([3, 2, 2]);
    expect(s.stats.rounds).toBe(2);
  });

  it('should send no second round with maxRetries 0', async () => {
    const { client, sent } = flaky((url) => (url === 'Patient/p0' ? '503' : undefined));
    const { s } = sender(client, { batch: undefined }, { ...RETRY, maxRetries: 0 });
    expect((await s.send(reads(2))).map((a) => a.status)).toEqual([503, 200]);
    expect(sent).toHaveLength(1);
    expect(s.stats.rounds).toBe(0);
  });

  it('should wait between rounds as the backoff says (base delay, doubled)', async () => {
    const { client } = flaky((url) => (url === 'Patient/p0' || url === 'Patient/p1' ? '503' : undefined));
    const { s } = sender(client, { batch: undefined }, { maxRetries: 2, baseDelayMs: 60, maxDelayMs: 1000, maxRetryAfterMs: 1000 });
    const start = performance.now();
    await s.send(reads(3));
    // Jitter fixed at 0.5: 45 ms after the first round, 90 ms after the second (p0 and p1 busy throughout).
    expect(performance.now() - start).toBeGreaterThanOrEqual(130);
  });
});

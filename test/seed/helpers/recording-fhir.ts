import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/** What the recording server answers to one read or delete (undefined: the ordinary answer). */
export type Override = (method: 'GET' | 'DELETE', key: string, inBatch: boolean) => { status: number; diagnostics?: string } | undefined;

export interface RecordingServerOptions {
  types: string[];
  /** `declared`: lists `batch` in rest.interaction; `undeclared`: no interaction list; `absent`: lists only `transaction`. */
  statement: 'declared' | 'undeclared' | 'absent';
  /** How it answers `POST /` with a batch: as a batch (`answer`), or with this HTTP status. */
  batch: 'answer' | number;
  /** Answers 413 to a batch of more entries (with FHIR Works on AWS's wording). */
  maxEntries?: number;
  override?: Override;
  /** Searches and counts every resource of the type, whatever `_tag` says (as servers that drop an unknown parameter). */
  ignoresTag?: boolean;
  /** Answers a search inside a batch with this status (a server that takes only reads and writes in a batch). */
  batchSearch?: number;
}

export interface RecordingServer {
  url: string;
  /** `METHOD path` of every request, `SEARCH Type` (`SEARCH Type count` for `_summary=count`), and `BATCH n` (entries) for each batch. */
  log: string[];
  /** Every batch entry's request, in the order received. */
  batchEntries: NonNullable<BundleEntry['request']>[];
  store: Map<string, Resource>;
  close: () => Promise<void>;
}

/**
 * A small FHIR server for purge: keeps versions, honours If-Match on DELETE (412), searches by `_tag` (`_summary=count`
 * for counts), and answers reads, deletes and searches alone or as batch entries through one function each, so that the
 * two paths can be compared. Batch answers carry no `response.etag` (as medplum's): the client must take the version from the resource.
 */
export async function startRecordingServer(options: RecordingServerOptions): Promise<RecordingServer> {
  const store = new Map<string, Resource>();
  const log: string[] = [];
  const batchEntries: NonNullable<BundleEntry['request']>[] = [];

  const one = (method: 'GET' | 'DELETE', url: string, ifMatch: string | undefined, inBatch: boolean): { status: number; resource?: Resource; outcome?: unknown } => {
    const key = url.split('?')[0]!;
    const forced = options.override?.(method, key, inBatch);
    if (forced) return { status: forced.status, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: forced.diagnostics ?? `refused ${key}` }] } };
    const found = store.get(key);
    if (!found) return { status: 404 };
    if (method === 'GET') return { status: 200, resource: found };
    if (ifMatch !== undefined && ifMatch !== `W/"${found.meta?.versionId}"`) return { status: 412 };
    store.delete(key);
    return { status: 204 };
  };

  /** A search by `_tag` (a count with `_summary=count`), alone or as a batch entry. */
  const search = (type: string, params: URLSearchParams): Bundle => {
    const [system, code] = (params.get('_tag') ?? '').split('|');
    const tagged = [...store.values()].filter((r) => r.resourceType === type && (options.ignoresTag || r.meta?.tag?.some((t) => t.system === system && (code ? t.code === code : Boolean(t.code)))));
    if (params.get('_summary') === 'count') return { resourceType: 'Bundle', type: 'searchset', total: tagged.length };
    return { resourceType: 'Bundle', type: 'searchset', entry: tagged.slice(0, 100).map((resource) => ({ resource: { resourceType: resource.resourceType, id: resource.id, meta: resource.meta } as Resource })) };
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const url = new URL(req.url!, 'http://x');
    const path = url.pathname.slice(1);
    if (path === 'metadata') {
      const resource = options.types.map((type) => ({ type, interaction: [{ code: 'read' }, { code: 'delete' }, { code: 'search-type' }] }));
      const interaction = options.statement === 'declared' ? [{ code: 'transaction' }, { code: 'batch' }] : options.statement === 'absent' ? [{ code: 'transaction' }] : undefined;
      return send(200, { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01', rest: [{ mode: 'server', resource, ...(interaction ? { interaction } : {}) }] });
    }
    if (req.method === 'POST' && path === '') {
      const bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Bundle;
      const entries = bundle.entry ?? [];
      log.push(`BATCH ${entries.length}`);
      if (options.batch !== 'answer') return send(options.batch, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', diagnostics: 'no batches here' }] });
      if (options.maxEntries !== undefined && entries.length > options.maxEntries) {
        return send(413, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: `Maximum number of entries for a Bundle is ${options.maxEntries}. There are currently ${entries.length} entries in this Bundle` }] });
      }
      const entry = entries.map((e): BundleEntry => {
        batchEntries.push(e.request!);
        const query = e.request!.method === 'GET' && e.request!.url.includes('?') ? new URL(e.request!.url, 'http://x/') : undefined;
        if (query && options.batchSearch) return { response: { status: String(options.batchSearch), outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', diagnostics: 'no searches in a batch' }] } } };
        if (query) return { resource: search(query.pathname.slice(1), query.searchParams), response: { status: '200 OK' } };
        const answer = one(e.request!.method as 'GET' | 'DELETE', e.request!.url, e.request!.ifMatch, true);
        return { ...(answer.resource ? { resource: answer.resource } : {}), response: { status: String(answer.status), ...(answer.outcome ? { outcome: answer.outcome as never } : {}) } };
      });
      return send(200, { resourceType: 'Bundle', type: 'batch-response', entry });
    }
    const [type, id] = path.split('/');
    if (!id) {
      log.push(`SEARCH ${type}${url.searchParams.get('_summary') === 'count' ? ' count' : ''}`);
      return send(200, search(type!, url.searchParams));
    }
    log.push(`${req.method} ${path}`);
    const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
    const answer = one(req.method as 'GET' | 'DELETE', path, ifMatch, false);
    const etag = answer.resource ? { etag: `W/"${answer.resource.meta?.versionId}"` } : undefined;
    return send(answer.status, answer.status === 204 ? undefined : (answer.resource ?? answer.outcome), etag);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    batchEntries,
    store,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { Agent, request } from 'undici';

/** What the proxy does with one request (numbered from 1). */
export type Fault =
  | { kind: 'pass' }
  /** Answer this status without forwarding (429 and 503 with Retry-After, say); body null sends JSON null, no body an OperationOutcome. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Forward, let the server apply it, then drop the connection without an answer. */
  | { kind: 'drop-after' }
  /** Drop the connection without forwarding. */
  | { kind: 'drop-before' }
  /** Forward, then hold the answer back this long (past the client's timeout). */
  | { kind: 'slow'; delayMs: number }
  /** Forward once this settles (something the test does on the server first, in between). */
  | { kind: 'after'; settled: Promise<unknown> }
  /**
   * For a Bundle: answer the named entries (by resource id; an entry without a resource, such as a DELETE, by its
   * request URL, `Type/id`) with these statuses without forwarding them; forward the rest as a smaller Bundle and
   * splice the answers together in order (a server that applies batches, and transactions, entry by entry).
   */
  | { kind: 'fail-entries'; statuses: Map<string, number>; echo?: string };

export interface FaultProxy {
  url: string;
  /** Authorization headers seen (so tests can look for tokens in the seeder's output). */
  authorizations: Set<string>;
  requests: number;
  close: () => Promise<void>;
}

/** An HTTP proxy between seeder and server that injects the faults `decide` picks per request. */
export async function startFaultProxy(upstream: string, decide: (n: number, req: IncomingMessage, body: unknown) => Fault): Promise<FaultProxy> {
  const agent = new Agent({ connections: 16 });
  const state = { requests: 0, authorizations: new Set<string>() };
  const server: Server = createServer(async (req, res) => {
    const n = ++state.requests;
    if (req.headers.authorization) state.authorizations.add(req.headers.authorization.replace(/^\S+\s+/, ''));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const fault = decide(n, req, body);
    try {
      if (fault.kind === 'status') return send(res, fault.status, fault.body !== undefined ? fault.body : { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: `fault proxy: ${fault.status}` }] }, fault.headers);
      if (fault.kind === 'drop-before') return void req.socket.destroy();
      if (fault.kind === 'fail-entries' && (body as Bundle | undefined)?.resourceType === 'Bundle') return await failEntries(req, res, body as Bundle, fault.statuses, fault.echo);
      if (fault.kind === 'after') await fault.settled;
      const answer = await forward(req, text);
      if (fault.kind === 'drop-after') return void req.socket.destroy();
      if (fault.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
      if (res.destroyed) return;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.text);
    } catch {
      if (!res.headersSent) send(res, 502, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'fault proxy: upstream error' }] });
    }
  });

  const forward = async (req: IncomingMessage, text: string) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
    const r = await request(`${upstream}${req.url}`, { method: req.method as 'GET', headers, body: text || undefined, dispatcher: agent });
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string' && !['connection', 'transfer-encoding', 'content-length', 'keep-alive'].includes(k)) out[k] = v;
    return { status: r.statusCode, headers: out, text: await r.body.text() };
  };

  const failEntries = async (req: IncomingMessage, res: ServerResponse, bundle: Bundle, statuses: Map<string, number>, echo?: string) => {
    const entries = bundle.entry ?? [];
    const named = (e: BundleEntry) => e.resource?.id ?? e.request?.url ?? '';
    const kept = entries.filter((e) => !statuses.has(named(e)));
    let answers: BundleEntry[] = [];
    if (kept.length) {
      const r = await forward(req, JSON.stringify({ ...bundle, entry: kept }));
      if (r.status !== 200) return send(res, r.status, JSON.parse(r.text));
      answers = (JSON.parse(r.text) as Bundle).entry ?? [];
    }
    let k = 0;
    const entry = entries.map((e): BundleEntry => {
      const status = statuses.get(named(e));
      if (status === undefined) return answers[k++]!;
      return { response: { status: String(status), outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: status >= 500 || status === 429 ? 'transient' : 'invalid', diagnostics: `fault proxy rejected ${e.resource ? `${e.resource.resourceType}/${e.resource.id}` : e.request?.url} with ${status}${echo ? ` (request had Authorization: ${echo})` : ''}` }] } } };
    });
    send(res, 200, { resourceType: 'Bundle', type: `${bundle.type}-response`, entry });
  };

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations: state.authorizations,
    get requests() {
      return state.requests;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await agent.close();
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
  res.end(JSON.stringify(body));
}

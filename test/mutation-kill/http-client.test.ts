import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthProvider } from '../../src/seed/auth/types.js';
import { AuthRefused, FhirHttpClient, NetworkFailure } from '../../src/seed/http.js';
import { Redactor } from '../../src/seed/redact.js';
import { fhirseedVersion } from '../../src/util/paths.js';

/**
 * The seeder's HTTP client, one thing at a time against a real HTTP server that records what it was sent
 * (issue 19: the survivors of src/seed/http.ts — headers, URLs, messages, counts, the transport for tokens).
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const seen: Seen[] = [];
const scripts = new Map<string, Answer[]>();
let server: Server;
let base: string;

const reply = (status: number, body: string | undefined, headers: Record<string, string> = {}): Answer => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
  res.end(body);
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const path = new URL(req.url!, 'http://x').pathname;
      const script = scripts.get(path) ?? [];
      (script.length > 1 ? script.shift()! : script[0] ?? reply(200, '{"resourceType":"Bundle"}'))(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

type Options = ConstructorParameters<typeof FhirHttpClient>[0];
function client(overrides: Partial<Options> = {}): FhirHttpClient {
  return new FhirHttpClient({
    baseUrl: `${base}/fhir`, concurrency: 2, timeoutMs: 2000, redactor: new Redactor(), random: () => 0,
    retry: { maxRetries: 2, baseDelayMs: 2, maxDelayMs: 4, maxRetryAfterMs: 50 },
    ...overrides,
  });
}
const last = () => seen[seen.length - 1]!;
const auth = (mode: AuthProvider['mode'], header: string | undefined, invalidate = () => false): AuthProvider => ({ mode, tokensIssued: 0, authorization: async () => header, invalidate });

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e as Error);
  expect(error, 'expected a failure').toBeInstanceOf(Error);
  return error!;
}

describe('FhirHttpClient: what it sends', () => {
  it('should send FHIR JSON headers and its user agent, a content type only with a body, and the caller’s headers over its own', async () => {
    const c = client();
    await c.send('GET', 'Patient?name=x');
    expect(last().method).toBe('GET');
    expect(last().url).toBe('/fhir/Patient?name=x');
    expect(last().headers.accept).toBe('application/fhir+json');
    expect(last().headers['user-agent']).toBe(`fhirseed/${fhirseedVersion()}`);
    expect(last().headers['content-type']).toBeUndefined();
    expect(last().headers.authorization).toBeUndefined();
    expect(last().body).toBe('');
    await c.send('PUT', 'Patient/p1', { resourceType: 'Patient', id: 'p1' }, { 'if-match': 'W/"3"', accept: 'application/json' });
    expect(last()).toMatchObject({ method: 'PUT', url: '/fhir/Patient/p1', body: '{"resourceType":"Patient","id":"p1"}' });
    expect(last().headers).toMatchObject({ 'content-type': 'application/fhir+json', 'if-match': 'W/"3"', accept: 'application/json' });
    c.auth = auth('bearer', 'Bearer abc');
    await c.send('DELETE', 'Patient/p1');
    expect(last().headers.authorization).toBe('Bearer abc');
    await c.close();
  });

  it('should resolve paths under the base (trailing and leading slashes dropped) and pass absolute URLs through', () => {
    const c = client({ baseUrl: 'http://127.0.0.1:1/fhir///' });
    expect(c.baseUrl).toBe('http://127.0.0.1:1/fhir');
    expect(c.url('Patient/1')).toBe('http://127.0.0.1:1/fhir/Patient/1');
    expect(c.url('///Patient/1')).toBe('http://127.0.0.1:1/fhir/Patient/1');
    expect(c.url('http://other.example/fhir/Patient?_page=2')).toBe('http://other.example/fhir/Patient?_page=2');
    expect(c.url('HTTPS://other.example/x')).toBe('HTTPS://other.example/x');
    expect(c.url('xhttp://other.example/x')).toBe('http://127.0.0.1:1/fhir/xhttp://other.example/x');
    expect(c.url('Patient?next=http://a/b')).toBe('http://127.0.0.1:1/fhir/Patient?next=http://a/b');
  });

  it('should give JSON bodies parsed, other text as it came, and an empty body as undefined, with status, headers and attempts', async () => {
    const c = client();
    scripts.set('/fhir/json', [reply(201, '{"a":1}', { etag: 'W/"1"' })]);
    scripts.set('/fhir/text', [reply(500, 'not json')]);
    scripts.set('/fhir/empty', [reply(204, undefined)]);
    const json = await c.send('GET', 'json');
    expect(json).toMatchObject({ status: 201, body: { a: 1 }, attempts: 1 });
    expect(json.headers.etag).toBe('W/"1"');
    expect((await c.send('GET', 'text')).body).toBe('not json');
    expect((await c.send('GET', 'empty')).body).toBeUndefined();
    expect(c.stats).toEqual({ requests: 3, retries: 0 });
    await c.close();
  });
});

describe('FhirHttpClient: retries and what they count', () => {
  it('should retry a transient status, tell each retry with the status and the Retry-After delay, and count requests and retries', async () => {
    const told: [string, number][] = [];
    const c = client({ onRetry: (reason, delay) => told.push([reason, delay]) });
    scripts.set('/fhir/busy', [reply(503, '{}', { 'retry-after': '0.03' }), reply(429, '{}'), reply(200, '{}')]);
    const r = await c.send('GET', 'busy');
    expect([r.status, r.attempts]).toEqual([200, 3]);
    expect(told).toEqual([['HTTP 503', 30], ['HTTP 429', 2]]);
    expect(c.stats).toEqual({ requests: 3, retries: 2 });
    scripts.set('/fhir/down', [reply(503, '{}')]);
    const down = await c.send('GET', 'down');
    expect([down.status, down.attempts]).toEqual([503, 3]);
    expect(c.stats).toEqual({ requests: 6, retries: 4 });
    await c.close();
  });

  it('should fetch a new token once on a 401 without counting it an attempt, then stop with AuthRefused', async () => {
    let issued = 0;
    const c = client();
    c.auth = auth('smart-backend', undefined, () => (issued++, true));
    c.auth.authorization = async () => `Bearer t${issued}`;
    scripts.set('/fhir/auth', [(req, res) => reply(req.headers.authorization === 'Bearer t1' ? 200 : 401, '{}')(req, res)]);
    const ok = await c.send('GET', 'auth');
    expect([ok.status, ok.attempts]).toEqual([200, 1]);
    expect(c.stats).toEqual({ requests: 2, retries: 1 });
    scripts.set('/fhir/never', [reply(401, '{}')]);
    const error = await failure(c.send('GET', 'never?secret=1'));
    expect(error).toBeInstanceOf(AuthRefused);
    expect(error.name).toBe('AuthRefused');
    expect((error as AuthRefused).exitCode).toBe(2);
    expect(error.message).toBe(`GET ${base}/fhir/never: HTTP 401 — the server refused the credentials (smart-backend); check the secret, and that --auth smart-backend is what the server expects`);
    await c.close();
  });

  it('should tell a 401 without credentials to give --auth, and stop on a 403 only when it sent credentials', async () => {
    const c = client();
    scripts.set('/fhir/closed', [reply(401, '{}')]);
    scripts.set('/fhir/forbidden', [reply(403, '{"resourceType":"OperationOutcome"}')]);
    const none = await failure(c.send('GET', 'closed'));
    expect(none.message).toBe(`GET ${base}/fhir/closed: HTTP 401 — the server wants credentials: give --auth (bearer, basic, client-credentials or smart-backend) and its secret file or environment variable`);
    expect(c.stats.requests).toBe(1);
    // Without credentials a 403 is the server's answer to this request, for the caller to report.
    expect((await c.send('GET', 'forbidden')).status).toBe(403);
    c.auth = auth('bearer', 'Bearer abc');
    const refused = await failure(c.send('POST', 'forbidden', {}));
    expect(refused).toBeInstanceOf(AuthRefused);
    expect(refused.message).toBe(`POST ${base}/fhir/forbidden: HTTP 403 — the server refused the credentials (bearer) for this request: they lack the access (scopes, roles) it needs`);
    await c.close();
  });

  it('should say how long it waited for an answer, and after how many attempts it gave up', async () => {
    const told: string[] = [];
    const c = client({ timeoutMs: 150, onRetry: (reason) => told.push(reason) });
    scripts.set('/fhir/slow', [(_req, res) => setTimeout(() => reply(200, '{}')(_req, res), 400)]);
    const error = await failure(c.send('GET', 'slow?q=private'));
    expect(error).toBeInstanceOf(NetworkFailure);
    expect(error.name).toBe('NetworkFailure');
    expect((error as NetworkFailure).exitCode).toBe(2);
    expect((error as NetworkFailure).attempts).toBe(3);
    expect(error.message).toBe(`GET ${base}/fhir/slow: no answer within 150 ms (after 3 attempts)`);
    expect(told).toEqual(['no answer within 150 ms', 'no answer within 150 ms']);
    const once = client({ timeoutMs: 150, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    const single = await failure(once.send('GET', 'slow'));
    expect(single.message).toBe(`GET ${base}/fhir/slow: no answer within 150 ms`);
    expect((single as NetworkFailure).attempts).toBe(1);
    await Promise.all([c.close(), once.close()]);
  });

  it('should not retry a refused connection before the server ever answered, but retry it once it has', async () => {
    const spare = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    const before = client({ baseUrl: url });
    const after = client({ baseUrl: url });
    expect((await after.send('GET', 'metadata')).status).toBe(200);
    spare.closeAllConnections();
    await new Promise<void>((r) => spare.close(() => r()));
    const first = await failure(before.send('GET', 'metadata'));
    expect(first).toBeInstanceOf(NetworkFailure);
    expect((first as NetworkFailure).attempts).toBe(1);
    expect(first.message).toMatch(new RegExp(`^GET ${url}/metadata: connection refused .*[^)]\\)$`));
    expect(first.message).not.toContain('attempts');
    const later = await failure(after.send('GET', 'metadata'));
    expect((later as NetworkFailure).attempts).toBe(3);
    expect(later.message).toMatch(/connection refused.* \(after 3 attempts\)$/);
    expect(after.stats).toEqual({ requests: 4, retries: 2 });
    await Promise.all([before.close(), after.close()]);
  });

  it('should stop at once when the run is interrupted, in flight or between retries', async () => {
    const inFlight = new AbortController();
    const c = client({ signal: inFlight.signal });
    scripts.set('/fhir/hang', [(_req, res) => setTimeout(() => reply(200, '{}')(_req, res), 1500)]);
    const pending = c.send('GET', 'hang');
    setTimeout(() => inFlight.abort(new Error('interrupted')), 50);
    const error = await failure(pending);
    expect(error).not.toBeInstanceOf(NetworkFailure);
    expect(c.stats.retries).toBe(0);
    const between = new AbortController();
    const d = client({ signal: between.signal, onRetry: () => between.abort(new Error('stopped between retries')), retry: { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    scripts.set('/fhir/flaky', [reply(503, '{}')]);
    const stopped = await failure(d.send('GET', 'flaky'));
    expect(stopped.message).toBe('stopped between retries');
    expect(d.stats).toEqual({ requests: 1, retries: 1 });
    const silent = new AbortController();
    const e = client({ signal: silent.signal, onRetry: () => silent.abort(), retry: { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    const plain = await failure(e.send('GET', 'flaky'));
    expect(plain.name).toBe('AbortError');
    await Promise.all([c.close(), d.close(), e.close()]);
  });

  it('should let a write in flight run to its answer when interrupted, and start no request after', async () => {
    const interrupt = new AbortController();
    const c = client({ signal: interrupt.signal });
    scripts.set('/fhir/slow-write', [(req, res) => setTimeout(() => reply(200, '{"resourceType":"Bundle","type":"transaction-response"}')(req, res), 300)]);
    const pending = c.send('POST', 'slow-write', { resourceType: 'Bundle' });
    setTimeout(() => interrupt.abort(new Error('interrupted')), 50);
    const answer = await pending;
    expect(interrupt.signal.aborted).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ resourceType: 'Bundle', type: 'transaction-response' });
    const before = seen.length;
    const refused = await failure(c.send('PUT', 'Patient/p1', { resourceType: 'Patient', id: 'p1' }));
    expect(refused.message).toBe('interrupted');
    expect(seen.length).toBe(before);
    expect(c.stats.requests).toBe(1);
    await c.close();
  });
});

describe('FhirHttpClient: the transport for token and discovery requests', () => {
  it('should send plain JSON and form requests with no credentials and no retry, and fail in one line', async () => {
    const c = client();
    c.auth = auth('smart-backend', 'Bearer must-not-leak');
    const t = c.transport();
    scripts.set('/token', [reply(200, '{"access_token":"x"}')]);
    scripts.set('/.well-known/smart-configuration', [reply(503, '{"busy":true}')]);
    const config = await t.getJson(`${base}/.well-known/smart-configuration`);
    expect(config).toEqual({ status: 503, body: { busy: true } });
    expect(last().method).toBe('GET');
    expect(last().headers.accept).toBe('application/json');
    expect(last().headers['user-agent']).toBe(`fhirseed/${fhirseedVersion()}`);
    expect(last().headers.authorization).toBeUndefined();
    const token = await t.postForm(`${base}/token`, { grant_type: 'client_credentials', scope: 'system/*.read' }, { authorization: 'Basic YTpi' });
    expect(token).toEqual({ status: 200, body: { access_token: 'x' } });
    expect(last()).toMatchObject({ method: 'POST', url: '/token', body: 'grant_type=client_credentials&scope=system%2F*.read' });
    expect(last().headers).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic YTpi', accept: 'application/json' });
    await t.postForm(`${base}/token`, { a: 'b' });
    expect(last().headers.authorization).toBeUndefined();
    expect(c.stats).toEqual({ requests: 3, retries: 0 });
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const gone = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise<void>((r) => spare.close(() => r()));
    const error = await failure(t.getJson(`${gone}/token?client=x`));
    expect(error).toBeInstanceOf(NetworkFailure);
    expect((error as NetworkFailure).attempts).toBe(1);
    expect(error.message).toMatch(new RegExp(`^GET ${gone}/token: connection refused`));
    const post = await failure(t.postForm(`${gone}/token`, {}));
    expect(post.message).toMatch(new RegExp(`^POST ${gone}/token: connection refused`));
    await c.close();
  });

  it('should name a URL it cannot parse as (url), and redact secrets from the reason', async () => {
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const hostPort = `127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise<void>((r) => spare.close(() => r()));
    const redactor = new Redactor();
    redactor.add(hostPort);
    const c = client({ baseUrl: `http://${hostPort}`, redactor, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    const error = await failure(c.send('GET', 'metadata'));
    expect(error.message).toMatch(/: connection refused \(nothing listens on \[redacted\];/);
    const viaTransport = await failure(c.transport().getJson(`http://${hostPort}/token`));
    expect(viaTransport.message).toMatch(/: connection refused \(nothing listens on \[redacted\];/);
    const bad = await failure(c.transport().getJson('http://[bad'));
    expect(bad.message).toMatch(/^GET \(url\): /);
    await c.close();
  });
});

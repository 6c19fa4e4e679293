import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { parseRateLimit } from '../../src/serve/rate-limit.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded } from './helpers.js';
import { CLIENT_ID, authorizeParams, exchangeCode, signIn } from './patient-login.js';

/*
 * README's error table (serve section, between the errors-table markers) walked row by row against real
 * servers: each row's example is sent and its status and code checked. A row without a probe here, a probe
 * without a row, and an error code or status in src/serve the table lacks all fail. Five servers start at
 * once (smart-backend with --validate, smart-patient, none, none with a 1/min rate limit, smart-patient keeping its
 * registrations in a folder); --validate
 * loads the IG packages, most of this file's time (about 10 s on 2 busy cores; the rows take ~1 s).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Row {
  situation: string;
  status: number;
  kind: 'fhir' | 'oauth' | 'redirect' | 'html';
  code?: string;
  example: string;
}

/** The rows of README's error table; the example's first `code span` is the probe's key. */
function readTable(): Row[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = /<!-- errors-table:start -->\n([\s\S]*?)<!-- errors-table:end -->/.exec(readme)?.[1];
  if (!table) throw new Error('README.md has no errors-table markers');
  return table
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('|---') && !line.startsWith('| Situation'))
    .map((line) => {
      const [situation, status, code, example] = line.slice(1, -1).split(' | ').map((c) => c.trim()) as [string, string, string, string];
      const codeText = /`([^`]+)`/.exec(code)?.[1];
      const kind = code.startsWith('HTML') ? 'html' : code.startsWith('OAuth') ? 'oauth' : codeText?.startsWith('error=') ? 'redirect' : 'fhir';
      return { situation, status: Number(status), kind, code: codeText?.replace(/^error=/, ''), example: /`([^`]+)`/.exec(example)?.[1] ?? example };
    });
}

const rows = readTable();
const form = (body: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(body).toString(),
});
const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { authorization: 'Bearer tok', 'content-type': 'application/fhir+json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const bearer = { headers: { authorization: 'Bearer tok' } };
const importParameters = (parts: object[]) => ({ resourceType: 'Parameters', parameter: parts });
const input = (url: string) => ({ name: 'input', part: [{ name: 'type', valueCode: 'Patient' }, { name: 'url', valueUrl: url }] });

describeEmbedded('serve: every error in README\'s table, against real servers', () => {
  let backend: RunningServer;
  let patient: RunningServer;
  let none: RunningServer;
  let limited: RunningServer;
  let stateful: RunningServer;
  // The registered clients' folder, made a file after the start (server_error row).
  const state = tempDir('fhirseed-errors-state-');
  const gate = join(state.dir, 'gate');
  const origin = (s: RunningServer) => new URL(s.url).origin;
  const at = (s: RunningServer, path: string, init: RequestInit = {}) => fetch(`${origin(s)}${path}`, { redirect: 'manual', ...init });
  const ann = { username: 'ann', password: 'pw-ann', patientId: 'p-ann' };
  const bob = { username: 'bob', password: 'pw-bob', patientId: 'p-bob' };
  let annToken = '';

  beforeAll(async () => {
    mkdirSync(gate);
    [backend, patient, none, limited, stateful] = await Promise.all([
      startServer({
        port: 0,
        auth: { mode: 'smart-backend', clients: [{ clientId: 'app', secret: 's3cret' }], staticTokens: ['tok'], registration: { mode: 'open' } },
        maxBody: 4096,
        validate: true,
        packagesDir: SHARED_PACKAGES,
      }),
      startServer({ port: 0, auth: { mode: 'smart-patient', members: [ann, bob], staticTokens: ['tok'] } }),
      startServer({ port: 0 }),
      startServer({ port: 0, rateLimit: { policies: parseRateLimit('1/min') } }),
      startServer({ port: 0, auth: { mode: 'smart-patient', members: [ann], registration: { mode: 'open', stateDir: join(gate, 's') } } }),
    ]);
    await at(patient, `/fhir/Patient/${bob.patientId}`, json('PUT', { resourceType: 'Patient', id: bob.patientId }));
    annToken = (await exchangeCode(origin(patient), await signIn(origin(patient), patient.url, ann.username, ann.password))).body.access_token as string;
  }, 60_000);
  afterAll(async () => {
    await Promise.all([backend, patient, none, limited, stateful].map((s) => s?.close()));
    state.cleanup();
  });

  /**
   * `head` sent as it is over a plain socket (what Node's parser refuses never reaches fetch's checks); the raw
   * answer as a Response.
   */
  async function raw(s: RunningServer, head: string): Promise<Response> {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(s.url).port), '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => (answer += String(d)));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.end(head);
    });
    const [top = '', body = ''] = text.split('\r\n\r\n');
    const [statusLine = '', ...fields] = top.split('\r\n');
    const headers = new Headers(fields.map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1).trim()] as [string, string]));
    return new Response(body, { status: Number(statusLine.split(' ')[1]), headers });
  }

  /** A transaction whose Coverage refers to a `urn:uuid:` no entry has, sent with and without --validate: both answer alike. */
  async function danglingPlaceholder(): Promise<Response> {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Coverage', status: 'active', beneficiary: { reference: 'urn:uuid:33333333-3333-4333-8333-333333333333' }, payor: [{ reference: 'Organization/x' }] }, request: { method: 'POST', url: 'Coverage' } },
      ],
    };
    const [plain, validated] = await Promise.all([at(none, '/fhir', json('POST', bundle)), at(backend, '/fhir', json('POST', bundle))]);
    const [plainText, validatedText] = await Promise.all([plain.text(), validated.text()]);
    expect({ status: validated.status, body: validatedText }).toEqual({ status: plain.status, body: plainText });
    return new Response(validatedText, { status: validated.status, headers: validated.headers });
  }

  async function register(): Promise<{ client_id: string }> {
    const res = await at(backend, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' }) });
    return (await res.json()) as { client_id: string };
  }

  async function failedImport(): Promise<Response> {
    const kickOff = await at(backend, '/fhir/$import', json('POST', importParameters([input('http://127.0.0.1:1/nothing.ndjson')]), { prefer: 'respond-async' }));
    const poll = kickOff.headers.get('content-location')!;
    for (;;) {
      const res = await fetch(poll, bearer);
      if (res.status !== 202) return res;
      await res.arrayBuffer();
    }
  }

  /** One request per README row, keyed by the row's example. */
  const probes: Record<string, () => Promise<Response>> = {
    'GET /fhir/Patient': () => at(backend, '/fhir/Patient'),
    'GET /fhir/Patient/<another member>': () => at(patient, `/fhir/Patient/${bob.patientId}`, { headers: { authorization: `Bearer ${annToken}` } }),
    'GET /fhir/ExplanationOfBenefit?patient=<another member>': () => at(patient, `/fhir/ExplanationOfBenefit?patient=${bob.patientId}`, { headers: { authorization: `Bearer ${annToken}` } }),
    'GET /nothing': () => at(none, '/nothing'),
    'GET /fhir/Nothing': () => at(none, '/fhir/Nothing'),
    'GET /fhir/Patient/unknown': () => at(none, '/fhir/Patient/unknown'),
    'GET /fhir/Patient/<deleted>': async () => {
      await at(none, '/fhir/Patient/gone', json('PUT', { resourceType: 'Patient', id: 'gone' }));
      await at(none, '/fhir/Patient/gone', { method: 'DELETE' });
      return at(none, '/fhir/Patient/gone');
    },
    'GET /fhir/Patient/_history': () => at(none, '/fhir/Patient/_history'),
    'GET /fhir/Binary/unknown': () => at(none, '/fhir/Binary/unknown', { headers: { accept: 'text/plain' } }),
    'GET /.well-known/smart-configuration': () => at(none, '/.well-known/smart-configuration'),
    'GET /auth/authorize': () => at(backend, '/auth/authorize'),
    'GET /fhir/Patient/bad%20id!': () => at(none, '/fhir/Patient/bad%20id!'),
    'GET /fhir/Patient/%E0%A4%A': () => at(none, '/fhir/Patient/%E0%A4%A'),
    'GET /fhir/Patient?foo=bar': () => at(none, '/fhir/Patient?foo=bar'),
    'POST /fhir/Patient': () => at(none, '/fhir/Patient', json('POST', '{')),
    'PUT /fhir/Patient/a': () => at(none, '/fhir/Patient/a', json('PUT', { resourceType: 'Patient', id: 'b' })),
    'POST /fhir': () => at(none, '/fhir', json('POST', { resourceType: 'Bundle', type: 'collection' })),
    'POST /fhir/$import': () => at(none, '/fhir/$import', json('POST', importParameters([input('http://127.0.0.1:1/x.ndjson')]))),
    'DELETE /fhir/metadata': () => at(none, '/fhir/metadata', { method: 'DELETE' }),
    'PUT /fhir/Patient': () => at(none, '/fhir/Patient', json('PUT', { resourceType: 'Patient', id: 'a' })),
    'GET /fhir/Patient?_format=xml': () => at(none, '/fhir/Patient?_format=xml'),
    'GET /fhir/Binary/<id>': async () => {
      await at(none, '/fhir/Binary/b1', json('PUT', { resourceType: 'Binary', id: 'b1', contentType: 'text/plain', data: Buffer.from('note').toString('base64') }));
      return at(none, '/fhir/Binary/b1', { headers: { accept: 'image/png' } });
    },
    'GET /fhir/metadata': async () => {
      await (await at(limited, '/fhir/metadata')).arrayBuffer();
      return at(limited, '/fhir/metadata');
    },
    'GET /fhir/$import-poll-status/<failed job>': failedImport,
    'GET /fhir/Patient/<id>/$validate': () => at(none, '/fhir/Patient/a/$validate'),
    'GET /auth/token': () => at(backend, '/auth/token'),
    'GET /auth/introspect': () => at(backend, '/auth/introspect'),
    'GET /auth/register': () => at(backend, '/auth/register'),
    'GET /auth/register/<client_id>': async () => at(backend, `/auth/register/${(await register()).client_id}`, { headers: { authorization: 'Bearer wrong' } }),
    'POST /auth/register/<client_id>': async () => {
      const res = await at(backend, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_types: ['client_credentials'] }) });
      const client = (await res.json()) as { client_id: string; registration_access_token: string };
      return at(backend, `/auth/register/${client.client_id}`, { method: 'POST', headers: { authorization: `Bearer ${client.registration_access_token}` } });
    },
    'GET /auth/authorize?client_id=app': () => at(patient, '/auth/authorize?client_id=app'),
    'POST /auth/authorize': () => {
      const { params } = authorizeParams(patient.url);
      params.set('username', ann.username);
      params.set('password', 'wrong');
      return at(patient, '/auth/authorize', { method: 'POST', body: params });
    },
    'GET /auth/authorize?response_type=token&…': () => at(patient, `/auth/authorize?${authorizeParams(patient.url, { response_type: 'token' }).params}`),
    'GET /auth/authorize?…': () => {
      const { params } = authorizeParams(patient.url);
      params.delete('code_challenge');
      return at(patient, `/auth/authorize?${params}`);
    },
    'GET /auth/authorize?scope=openid&…': () => at(patient, `/auth/authorize?${authorizeParams(patient.url, { scope: 'openid' }).params}`),
    'GET /report.html': () => at(none, '/report.html'),
    'GET /fhir/$export?_type=Nothing': () => at(none, '/fhir/$export?_type=Nothing', { headers: { prefer: 'respond-async' } }),
    'GET /fhir/Group/$export': () => at(none, '/fhir/Group/$export', { headers: { prefer: 'respond-async' } }),
    'GET /fhir/Patient/a/_history?_since=2024-01-01': async () => {
      await at(none, '/fhir/Patient/a', json('PUT', { resourceType: 'Patient', id: 'a' }));
      return at(none, '/fhir/Patient/a/_history?_since=2024-01-01');
    },
    'GET /fhir/Patient/a/_history?_at=2024': () => at(none, '/fhir/Patient/a/_history?_at=2024'),
  };
  // Rows whose example repeats a request line are told apart by the rest of the example cell.
  const byRow: Record<string, () => Promise<Response>> = {
    'GET /fhir/Patient with `Authorization: Bearer nope`': () => at(backend, '/fhir/Patient', { headers: { authorization: 'Bearer nope' } }),
    'POST /fhir with a batch whose two entries have one `fullUrl`': () =>
      at(none, '/fhir', json('POST', { resourceType: 'Bundle', type: 'batch', entry: [0, 1].map(() => ({ fullUrl: 'urn:uuid:5d0c1b7e-2f3a-4c5d-8e9f-0000000000e1', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } })) })),
    'POST /fhir/$import with no `input`': () => at(none, '/fhir/$import', json('POST', importParameters([]), { prefer: 'respond-async' })),
    'POST /fhir/$import with `inputFormat` `text/csv`': () => at(none, '/fhir/$import', json('POST', importParameters([{ name: 'inputFormat', valueCode: 'text/csv' }, input('http://127.0.0.1:1/x')]), { prefer: 'respond-async' })),
    'DELETE /fhir/Patient/a with `If-Match: W/"0"`': async () => {
      await at(none, '/fhir/Patient/a', json('PUT', { resourceType: 'Patient', id: 'a' }));
      return at(none, '/fhir/Patient/a', { method: 'DELETE', headers: { authorization: 'Bearer tok', 'if-match': 'W/"0"' } });
    },
    'POST /auth/register with the `--state-dir` folder replaced by a file after the start': () => {
      rmSync(gate, { recursive: true, force: true });
      writeFileSync(gate, '');
      return at(stateful, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:3000/cb'] }) });
    },
    'PUT /fhir/Patient/a with `If-Match: W/"0"`': async () => {
      await at(none, '/fhir/Patient/a', json('PUT', { resourceType: 'Patient', id: 'a' }));
      return at(none, '/fhir/Patient/a', json('PUT', { resourceType: 'Patient', id: 'a', active: true }, { 'if-match': 'W/"0"' }));
    },
    'POST /fhir with a body over `--max-body`': () => at(backend, '/fhir', json('POST', { resourceType: 'Bundle', type: 'batch', entry: [], note: 'x'.repeat(5000) })),
    'POST /fhir/Patient with `Content-Type: application/fhir+xml`': () => at(none, '/fhir/Patient', json('POST', '<Patient xmlns="http://hl7.org/fhir"/>', { 'content-type': 'application/fhir+xml' })),
    'POST /fhir/Patient with `"active": "yes"` (`--validate`)': () => at(backend, '/fhir/Patient', json('POST', { resourceType: 'Patient', active: 'yes' })),
    'POST /auth/token with no `grant_type`': () => at(backend, '/auth/token', form({ client_id: 'app', client_secret: 's3cret' })),
    'POST /auth/token with `grant_type=authorization_code` and no `code`': () => at(patient, '/auth/token', form({ grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: 'http://localhost:3000/callback', code_verifier: 'v'.repeat(43) })),
    'POST /auth/token with `scope=system/*.sr`': () => at(backend, '/auth/token', form({ grant_type: 'client_credentials', client_id: 'app', client_secret: 's3cret', scope: 'system/*.sr' })),
    'PUT /fhir/Patient/a with a `system/*.read` token': async () => {
      const { access_token: token } = (await (await at(backend, '/auth/token', form({ grant_type: 'client_credentials', client_id: 'app', client_secret: 's3cret', scope: 'system/*.read' }))).json()) as { access_token: string };
      return at(backend, '/fhir/Patient/a', json('PUT', { resourceType: 'Patient', id: 'a' }, { authorization: `Bearer ${token}` }));
    },
    'POST /auth/token with `grant_type=password`': () => at(backend, '/auth/token', form({ grant_type: 'password', client_id: 'app', client_secret: 's3cret' })),
    'POST /auth/token with a wrong `client_secret`': () => at(backend, '/auth/token', form({ grant_type: 'client_credentials', client_id: 'app', client_secret: 'wrong' })),
    'POST /auth/token with `grant_type=refresh_token&refresh_token=nope`': () => at(patient, '/auth/token', form({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: CLIENT_ID })),
    'POST /auth/token (`--auth none`)': () => at(none, '/auth/token', form({ grant_type: 'client_credentials' })),
    'POST /auth/revoke without `token`': () => at(backend, '/auth/revoke', form({ client_id: 'app', client_secret: 's3cret' })),
    'POST /auth/revoke with `token_type_hint=id_token`': () => at(backend, '/auth/revoke', form({ client_id: 'app', client_secret: 's3cret', token: 'x', token_type_hint: 'id_token' })),
    'POST /auth/register (`--auth none`)': () => at(none, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    'POST /auth/register with `grant_types: ["password"]`': () => at(backend, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_types: ['password'] }) }),
    'GET /fhir/Patient/$export with a member\'s token': () => at(patient, '/fhir/Patient/$export', { headers: { authorization: `Bearer ${annToken}`, prefer: 'respond-async' } }),
    'POST /fhir/Patient/$member-match with no `MemberPatient`': () => at(none, '/fhir/Patient/$member-match', json('POST', { resourceType: 'Parameters', parameter: [] })),
    'POST /fhir/Patient/$member-match with a card nobody holds': () =>
      at(none, '/fhir/Patient/$member-match', json('POST', { resourceType: 'Parameters', parameter: [
        { name: 'MemberPatient', resource: { resourceType: 'Patient', name: [{ family: 'Nobody' }], birthDate: '1970-01-01' } },
        { name: 'CoverageToMatch', resource: { resourceType: 'Coverage', subscriberId: 'NONE', status: 'active', beneficiary: { reference: 'Patient/x' }, payor: [{ reference: 'Organization/x' }] } },
        { name: 'Consent', resource: { resourceType: 'Consent', status: 'active' } },
      ] })),
    'GET /fhir/Patient with a header line without a colon': () => raw(none, 'GET /fhir/Patient HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'),
    'GET /fhir/Patient?name=<20,000 characters>': () => raw(none, `GET /fhir/Patient?name=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nOrigin: http://app.example\r\n\r\n`),
    'POST /fhir with a transaction whose `urn:uuid:` reference names no entry': danglingPlaceholder,
    'POST /auth/register with `redirect_uris: ["/cb"]`': () => at(backend, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_types: ['client_credentials'], redirect_uris: ['/cb'] }) }),
  };
  const probeFor = (row: Row) => byRow[fullExample(row)] ?? probes[row.example];

  it('should have a probe for every row of the table and a row for every probe', () => {
    expect(rows.length).toBeGreaterThan(40);
    expect(rows.filter((row) => !probeFor(row)).map((row) => fullExample(row))).toEqual([]);
    const used = new Set(rows.map((row) => (byRow[fullExample(row)] ? fullExample(row) : row.example)));
    expect([...Object.keys(probes), ...Object.keys(byRow)].filter((key) => !used.has(key))).toEqual([]);
  });

  it.each(rows.map((row) => [`${row.status} ${row.code ?? 'page'}: ${row.situation}`, row] as const))('should answer %s', async (_name, row) => {
    const res = await probeFor(row)!();
    const text = await res.text();
    expect({ status: res.status, body: text.slice(0, 300) }).toMatchObject({ status: row.status });
    if (row.kind === 'fhir') {
      expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      const outcome = JSON.parse(text);
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: row.code });
    } else if (row.kind === 'oauth') {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(text)).toMatchObject({ error: row.code, error_description: expect.any(String) });
    } else if (row.kind === 'redirect') {
      expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe(row.code);
    } else {
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
    if (row.status === 405) expect(res.headers.get('allow')).toBeTruthy();
    if (/CORS headers/.test(row.situation)) expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const challenge = /WWW-Authenticate: ([A-Za-z]+)/.exec(row.situation)?.[1];
    if (challenge) expect(res.headers.get('www-authenticate')).toMatch(new RegExp(`^${challenge}\\b`));
  });
});

function fullExample(row: Row): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith(`| ${row.situation} |`))!;
  return line.slice(1, -1).split(' | ').at(-1)!.trim().replace(/^`([^`]+)`/, '$1');
}

/** Every .ts file under src/serve. */
function serveSources(dir = join(ROOT, 'src/serve')): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return serveSources(path);
    return name.endsWith('.ts') ? [{ file: path.slice(ROOT.length), text: readFileSync(path, 'utf8') }] : [];
  });
}

/** FHIR R4 IssueType codes (http://hl7.org/fhir/ValueSet/issue-type) and the OAuth error codes of RFC 6749, 6750, 7009, 7591. */
const ISSUE_TYPES = new Set(['invalid', 'structure', 'required', 'value', 'invariant', 'security', 'login', 'unknown', 'expired', 'forbidden', 'suppressed', 'processing', 'not-supported', 'duplicate', 'multiple-matches', 'not-found', 'deleted', 'too-long', 'code-invalid', 'extension', 'too-costly', 'business-rule', 'conflict', 'transient', 'lock-error', 'no-store', 'exception', 'timeout', 'incomplete', 'throttled']);
const OAUTH_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'access_denied', 'unsupported_response_type', 'server_error', 'temporarily_unavailable', 'invalid_token', 'insufficient_scope', 'unsupported_token_type', 'invalid_redirect_uri', 'invalid_client_metadata', 'invalid_software_statement', 'unapproved_software_statement']);

/** medplum's OperationOutcome helpers src/serve uses, as the status and code they answer. */
const MEDPLUM_HELPERS: Record<string, [number, string]> = { badRequest: [400, 'invalid'], notFound: [404, 'not-found'], preconditionFailed: [412, 'processing'], gone: [410, 'deleted'], forbidden: [403, 'forbidden'], unauthorized: [401, 'login'] };

it('should list in README\'s error table every error code and status that src/serve answers (guard)', () => {
  const tableCodes = new Set(rows.map((row) => row.code));
  const tablePairs = new Set(rows.map((row) => `${row.status} ${row.code}`));
  const tableStatuses = new Set(rows.map((row) => row.status));
  const missing: string[] = [];
  for (const { file, text } of serveSources()) {
    // An error code with its status in one expression: that pair must be a row.
    const pairs = [
      ...text.matchAll(/(?:outcome|oauthError)\((\d{3}), '([a-z_-]+)'/g),
      ...text.matchAll(/status: (\d{3}), (?:body: \{ error|outcome: issueOutcome\()[:( ]*'([a-z_-]+)'/g),
      ...text.matchAll(/(\d{3}), (?:issueOutcome\(|outcome\(|\{ error: )'([a-z_-]+)'/g),
    ];
    for (const [, status, code] of pairs) if (!tablePairs.has(`${status} ${code}`)) missing.push(`${file}: ${status} ${code}`);
    // Any error code at all: it must be in the table.
    const codes = [...text.matchAll(/(?:code: |error: |issueOutcome\(|outcome\(|RegistrationError\(|fail\()'([a-z_-]+)'/g)].map((m) => m[1]!);
    for (const code of codes) if ((ISSUE_TYPES.has(code) || OAUTH_ERRORS.has(code)) && !tableCodes.has(code)) missing.push(`${file}: ${code}`);
    // Any error status: it must be in the table.
    const statuses = [...text.matchAll(/(?:status: |writeHead\(|send\(res, |sendJson\(res, |signInPage\(|errorPage\(|outcome\(|oauthError\()([45]\d\d)\b/g)].map((m) => Number(m[1]));
    for (const status of statuses) if (!tableStatuses.has(status)) missing.push(`${file}: status ${status}`);
    for (const [helper, [status, code]] of Object.entries(MEDPLUM_HELPERS)) {
      const imported = [...text.matchAll(/^import \{([^}]*)\} from '@medplum\/core';$/gm)].some((m) => new RegExp(`\\b${helper}\\b`).test(m[1]!));
      if (imported && !tablePairs.has(`${status} ${code}`)) missing.push(`${file}: ${helper} (${status} ${code})`);
    }
  }
  expect(missing).toEqual([]);
});

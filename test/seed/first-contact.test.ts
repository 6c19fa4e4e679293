import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../src/seed/backoff.js';
import { FhirHttpClient, NetworkFailure } from '../../src/seed/http.js';
import { Redactor } from '../../src/seed/redact.js';
import { UserError } from '../../src/util/errors.js';
import { expectOneLineExit2, runBin, runInProcess } from './helpers/bin.js';
import { uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { closedPort } from './helpers/port.js';
import { tempDir } from './helpers/temp.js';

/**
 * seed and purge against something that is not a working FHIR server: each is a user or environment
 * mistake, told in one line naming the URL and what happened, exit 2, after one request at most. The CLI runs in this
 * process (the line and the exit code are under test), except for the DNS cases: a real child, whose name lookups
 * offline-dns.mjs answers.
 */
interface Fake {
  url: string;
  requests: number;
  close: () => Promise<void>;
}

async function fake(answer: (res: import('node:http').ServerResponse) => void): Promise<Fake> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fhir`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const temp = tempDir('fhirseed-first-contact-');
const dir = join(temp.dir, 'out');
const servers: Record<string, Fake> = {};
let refusedPort = 0;

beforeAll(async () => {
  writeFixtureOutput(dir, { members: 2, runId: uniqueRunId('first-contact') });
  servers.unauthorized = await fake((res) => {
    res.writeHead(401, { 'content-type': 'application/fhir+json', 'www-authenticate': 'Bearer' });
    res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'no token' }] }));
  });
  servers.html = await fake((res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
  });
  servers.broken = await fake((res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('Internal Server Error');
  });
  refusedPort = await closedPort();
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  temp.remove();
});

const commands = {
  seed: (server: string) => ['seed', dir, '--server', server, '--production'],
  purge: (server: string) => ['purge', '--server', server, '--run', 'r-1', '--production'],
};

describe('seed and purge: first contact with a server that is not there or not FHIR', () => {
  for (const [name, args] of Object.entries(commands)) {
    it(`should say "connection refused" for a closed port, exit 2, without retrying (${name})`, async () => {
      const run = await runInProcess(args(`http://127.0.0.1:${refusedPort}/fhir`));
      expectOneLineExit2(run, new RegExp(`http://127\\.0\\.0\\.1:${refusedPort}/fhir/metadata: connection refused`));
      expect(run.stderr).not.toMatch(/attempts/);
    });

    it(`should say the DNS name is not found for an unresolvable host, exit 2 (${name})`, async () => {
      const run = await runBin(args('http://nonexistent.invalid/fhir'));
      expectOneLineExit2(run, /http:\/\/nonexistent\.invalid\/fhir\/metadata: DNS name nonexistent\.invalid not found/);
    });

    it(`should name a TLS error when https meets a plain http port, exit 2 (${name})`, async () => {
      const run = await runInProcess(args(servers.html!.url.replace('http:', 'https:')));
      expectOneLineExit2(run, /\/fhir\/metadata: TLS error: /);
    });

    it(`should point at --auth when the server answers 401, after one request, exit 2 (${name})`, async () => {
      const before = servers.unauthorized!.requests;
      const run = await runInProcess(args(servers.unauthorized!.url));
      expectOneLineExit2(run, new RegExp(`${servers.unauthorized!.url}/metadata: HTTP 401 .*--auth`));
      expect(servers.unauthorized!.requests - before).toBe(1);
    });

    it(`should say an HTML page is not a FHIR server, naming its content-type, exit 2 (${name})`, async () => {
      const run = await runInProcess(args(servers.html!.url));
      expectOneLineExit2(run, new RegExp(`${servers.html!.url}/metadata: not a FHIR server: HTTP 200 with content-type text/html`));
    });

    it(`should report a 500 as a server error after one request, exit 2 (${name})`, async () => {
      const before = servers.broken!.requests;
      const run = await runInProcess(args(servers.broken!.url));
      expectOneLineExit2(run, new RegExp(`${servers.broken!.url}/metadata: HTTP 500: .*server failed`));
      expect(servers.broken!.requests - before).toBe(1);
    });
  }
});

describe('the HTTP client: refused connections', () => {
  const client = (url: string) =>
    new FhirHttpClient({ baseUrl: url, concurrency: 1, timeoutMs: 5000, retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 }, redactor: new Redactor() });

  it('should not retry a refused connection before the server has answered, and fail with a one-line UserError (exit 2)', async () => {
    const c = client(`http://127.0.0.1:${refusedPort}`);
    const error = await c.send('GET', 'metadata').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkFailure);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect(c.stats.requests).toBe(1);
    await c.close();
  });

  it('should still retry a refused connection once the server has answered (a restart mid-run)', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const c = client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect((await c.send('GET', 'metadata')).status).toBe(200);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    const error = await c.send('GET', 'Patient/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkFailure);
    expect((error as Error).message).toMatch(/connection refused .*\(after 4 attempts\)/);
    expect(c.stats.requests).toBe(1 + 4);
    await c.close();
  });
});

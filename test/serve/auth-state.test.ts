import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const WAIT = { signal: () => AbortSignal.timeout(20_000) };
const registration = { token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:3000/cb'] };

const post = async (url: string, body: unknown, init: RequestInit = {}) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: WAIT.signal(), ...init });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, any> };
};

// U1 (session 13): --state-dir /proc/nope froze the whole server at the first registration (Node's recursive mkdir
// retries for ever under procfs). The folder is swapped after the start, so the start checks cannot refuse it first.
describe.runIf(existsSync('/proc/self'))('serve: a registered-clients state that cannot be written', () => {
  const temp = tempDir('fhirseed-auth-state-');
  const gate = join(temp.dir, 'gate');
  const stateDir = join(gate, 'nope');
  let child: ChildProcess;
  let origin: string;

  beforeAll(async () => {
    mkdirSync(gate);
    child = spawn(process.execPath, ['--import', join(here, '../seed/helpers/register-ts.mjs'), join(here, 'auth-state-child.mjs'), stateDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    origin = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += String(d);
        const url = /listening (http:\/\/\S+)/.exec(out)?.[1];
        if (url) resolve(new URL(url).origin);
      });
      child.once('exit', (code) => reject(new Error(`the sandbox exited early (${code}): ${out}`)));
    });
  }, 400_000);
  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    temp.cleanup();
  });

  let client: Record<string, any>;

  it('should register while the folder can be made', async () => {
    const reply = await post(`${origin}/auth/register`, registration);
    expect(reply.status).toBe(201);
    client = reply.body;
    expect((JSON.parse(readFileSync(join(stateDir, 'clients.json'), 'utf8')) as { client_id: string }[]).map((c) => c.client_id)).toEqual([client.client_id]);
  });

  it('should answer OAuth JSON, not an OperationOutcome, when a file stands where the folder should be', async () => {
    rmSync(gate, { recursive: true });
    writeFileSync(gate, '{}');
    const reply = await post(`${origin}/auth/register`, registration);
    expect(reply).toMatchObject({ status: 500, type: 'application/json', body: { error: 'server_error' } });
    expect(reply.body.error_description).toContain(`cannot write the state to ${stateDir}: ENOTDIR`);
    expect(reply.body.resourceType).toBeUndefined();
  });

  it('should answer 500 server_error as OAuth JSON when the folder lies under /proc, and keep serving', async () => {
    rmSync(gate);
    symlinkSync('/proc', gate);
    const reply = await post(`${origin}/auth/register`, registration);
    expect(reply).toMatchObject({ status: 500, type: 'application/json', body: { error: 'server_error' } });
    expect(reply.body.error_description).toMatch(new RegExp(`^the client was not registered: cannot write the state to ${stateDir}: ENOENT`));
    expect((await fetch(`${origin}/fhir/metadata`, { signal: WAIT.signal() })).status).toBe(200);
  }, 30_000);

  it('should keep a client whose deletion could not be written (RFC 7592), and answer the same 500', async () => {
    const url = `${origin}/auth/register/${client.client_id}`;
    const headers = { authorization: `Bearer ${client.registration_access_token}` };
    const deleted = await fetch(url, { method: 'DELETE', headers, signal: WAIT.signal() });
    expect(deleted.status).toBe(500);
    expect(await deleted.json()).toMatchObject({ error: 'server_error', error_description: expect.stringContaining(`the client was not deleted: cannot write the state to ${stateDir}`) });
    expect((await fetch(url, { headers, signal: WAIT.signal() })).status).toBe(200);
  });

  // Still under /proc: the old code was spinning here, and SIGINT was never handled.
  it('should stop on SIGINT afterwards', async () => {
    child.kill('SIGINT');
    const [code] = (await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(() => resolve(['still running']), 20_000))])) as [unknown];
    expect(code).toBe(0);
  }, 30_000);
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { seed, statePaths } from '../../src/seed/seed.js';
import { testSeedOptions, uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { tempDir } from './helpers/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = tempDir('fhirseed-interrupt-seed-');
afterAll(() => temp.remove());

interface Stub {
  url: string;
  /** `METHOD path` of every request, in order of arrival. */
  requests: string[];
  held: Array<() => void>;
  heldNotify?: () => void;
  close: () => Promise<void>;
}

/**
 * A FHIR server stub answering metadata and transaction bundles (every entry 201), except the requests `hold` picks:
 * those wait in `held` until the test answers them (or closes the server).
 */
async function stubServer(hold: (req: IncomingMessage) => boolean): Promise<Stub> {
  const state: Stub = { url: '', requests: [], held: [], close: async () => {} };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests.push(`${req.method} ${req.url}`);
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        if ((req.url ?? '').includes('metadata')) {
          res.end(JSON.stringify({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', status: 'active', kind: 'instance', format: ['json'], rest: [{ mode: 'server', resource: [] }] }));
          return;
        }
        const bundle = body ? (JSON.parse(body) as { entry?: unknown[] }) : { entry: [] };
        res.end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: (bundle.entry ?? []).map(() => ({ response: { status: '201 Created' } })) }));
      };
      if (hold(req)) {
        state.held.push(answer);
        state.heldNotify?.();
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  state.close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return state;
}

/**
 * `fhirseed seed ARGS` in a child, Ctrl-C (SIGINT) once the stub holds a request; `settle` runs once the child says it is
 * stopping (told the exit code so far: null while it waits) to answer what is held, or nothing: a held first contact is given up
 * at once.
 */
async function interruptedSeed(stub: Stub, args: string[], settle: (exitCode: number | null) => void = () => {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'seed', ...args, '--server', stub.url, '--concurrency', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout.resume();
  const exited = once(child, 'exit');
  if (!stub.held.length) await new Promise<void>((resolve) => (stub.heldNotify = resolve));
  child.kill('SIGINT');
  while (!stderr.includes('stopping after the requests in flight') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  settle(child.exitCode);
  const [code] = (await exited) as [number | null];
  return { code, stderr };
}

describe('seed interrupted (Ctrl-C)', () => {
  it('should let seed finish the requests in flight (not exit at once), then exit 130 with where the checkpoint is', async () => {
    const dir = join(temp.dir, 'out');
    writeFixtureOutput(dir, { members: 3, runId: uniqueRunId('interrupt-seed') });
    const stub = await stubServer((req) => req.method === 'POST');
    // A request in flight: the server holds it; answered after the Ctrl-C, it is acknowledged.
    const { code, stderr } = await interruptedSeed(stub, [dir], (exitCode) => {
      expect(exitCode, 'exited before the request in flight was answered').toBeNull();
      expect(stub.held).toHaveLength(1);
      for (const answer of stub.held.splice(0)) answer();
      stub.heldNotify = () => stub.held.splice(0).forEach((a) => a());
    });
    await stub.close();
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('fhirseed: stopping after the requests in flight');
    // stderr is a pipe here: no progress bar line is open, so no blank line before it (s16 fresh-eyes trial V).
    expect(stderr).not.toMatch(/(^|\n)\nfhirseed: stopping/);
    // The write in flight ran to its answer, which the checkpoint records; nothing was sent after the Ctrl-C.
    expect(stub.requests.filter((r) => r.startsWith('POST')), stub.requests.join('\n')).toHaveLength(1);
    expect((JSON.parse(readFileSync(statePaths({ dir }).checkpoint, 'utf8')) as { directoryDone: boolean }).directoryDone).toBe(true);
    expect(stderr).toMatch(new RegExp(`\\nfhirseed: interrupted: what the server acknowledged is in ${statePaths({ dir }).checkpoint.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; run again with --resume\\n$`));
  }, 60_000);

  it('should say that nothing was acknowledged, and not suggest --resume, when Ctrl-C comes before the first acknowledgement', async () => {
    const dir = join(temp.dir, 'nothing');
    writeFixtureOutput(dir, { members: 3, runId: uniqueRunId('interrupt-nothing') });
    // The first contact (GET metadata) never answered: nothing sent.
    const stub = await stubServer((req) => (req.url ?? '').includes('metadata'));
    const { code, stderr } = await interruptedSeed(stub, [dir]);
    await stub.close();
    expect(code, stderr).toBe(130);
    expect(stderr).toBe('fhirseed: stopping after the requests in flight…\nfhirseed: interrupted before anything was acknowledged (0 of 3 members); run the same command again to start over\n');
  }, 60_000);

  it('should name the earlier unfinished checkpoint it kept, when this run acknowledged nothing', async () => {
    const dir = join(temp.dir, 'earlier');
    writeFixtureOutput(dir, { members: 6, runId: uniqueRunId('interrupt-earlier') });
    let holding = false;
    const stub = await stubServer((req) => holding && (req.url ?? '').includes('metadata'));
    // A finished seed to this server, made unfinished as an interrupted run leaves it: 3 of 6 members acknowledged.
    await seed(testSeedOptions(stub.url, dir, { verify: false }));
    const path = statePaths({ dir }).checkpoint;
    const unfinished = JSON.stringify({ ...(JSON.parse(readFileSync(path, 'utf8')) as object), doneBelow: 2, doneAbove: [4], finished: false });
    writeFileSync(path, unfinished);
    holding = true;
    const { code, stderr } = await interruptedSeed(stub, [dir]);
    await stub.close();
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/\nfhirseed: interrupted before anything was acknowledged; the earlier unfinished seed in \S+checkpoint\.json is kept \(3 of 6 members acknowledged\): run again with --resume to continue it\n$/);
    expect(readFileSync(path, 'utf8')).toBe(unfinished);
  }, 60_000);

  it('should say that the dead-letter file is as it was, not name a checkpoint, for --retry-dead-letter', async () => {
    const dir = join(temp.dir, 'dead-letter');
    writeFixtureOutput(dir, { members: 1, runId: uniqueRunId('interrupt-dead-letter') });
    const { deadLetter } = statePaths({ dir });
    const record = { reason: 'HTTP 422', status: 422, resourceType: 'Patient', id: 'p1', source: 'bundles/member-000000.json', request: { method: 'PUT', url: 'Patient/p1' }, outcome: { resourceType: 'OperationOutcome', issue: [] }, resource: { resourceType: 'Patient', id: 'p1' } };
    mkdirSync(statePaths({ dir }).dir, { recursive: true });
    writeFileSync(deadLetter, `${JSON.stringify(record)}\n`);
    const stub = await stubServer((req) => (req.url ?? '').includes('metadata'));
    const { code, stderr } = await interruptedSeed(stub, [dir, '--retry-dead-letter']);
    await stub.close();
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(new RegExp(`\\nfhirseed: interrupted: the dead letters are still in ${deadLetter.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; run --retry-dead-letter again\\n$`));
    expect(readFileSync(deadLetter, 'utf8')).toBe(`${JSON.stringify(record)}\n`);
  }, 60_000);
});

describe('seed --mode import interrupted (Ctrl-C)', () => {
  it('should name the $import job it left running and what to do, not a checkpoint and --resume (which import refuses)', async () => {
    const dir = join(temp.dir, 'import');
    mkdirSync(join(dir, 'ndjson'), { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ runId: 'interrupt-import', counts: { byType: { Patient: 1 } } }));
    writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'p1' })}\n`);
    let polled: (() => void) | undefined;
    const server = createServer((req, res) => {
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
      if (req.url === '/fhir/metadata') return json(200, { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
      if (req.method === 'POST' && req.url === '/fhir/$import') return req.resume().on('end', () => json(202, undefined, { 'content-location': '/fhir/import-status/1' }));
      // The job never completes.
      if (req.url === '/fhir/import-status/1') return (json(202, undefined, { 'retry-after': '30' }), polled?.());
      json(404, { resourceType: 'OperationOutcome', issue: [] });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
    const firstPoll = new Promise<void>((resolve) => (polled = resolve));
    const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'seed', dir, '--server', url, '--mode', 'import'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.resume();
    const exited = once(child, 'exit');
    await firstPoll;
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    await new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
    expect(code, stderr).toBe(130);
    expect(stderr).toBe(
      'fhirseed: stopping after the requests in flight…\n' +
        `fhirseed: interrupted while the $import job at ${url}/import-status/1 ran: it was not cancelled, but the files it had yet to fetch from here are no longer served; ` +
        `seed again, or remove what it stored with fhirseed purge --server ${url} --run interrupt-import\n`,
    );
  }, 60_000);
});

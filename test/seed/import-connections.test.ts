// seed --mode import's connections (s12 trial, defect 1: "cannot fetch input …: other side closed"): the sandbox
// fetches each input again when the connection closes before any byte of the answer; the seeder's file server keeps
// idle connections past Node's 5 s default; a failed job says what stays on the server and what to do.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { purgeCommand } from '../../src/cli/commands/purge.js';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { seedImport, serveFiles } from '../../src/seed/import.js';
import { runCommand } from './helpers/cli.js';
import { manifestCounts, testConnection } from './helpers/data.js';
import { importSandbox } from './helpers/import-sandbox.js';

const { dir, runId, server } = importSandbox('import-conn', 2, 7302, 600_000);

/** A file host for --input-base-url: `answer` decides per request (the file and how often it was asked for). */
async function fileHost(answer: (file: string, asked: number, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) {
  const asked = new Map<string, number>();
  const host = createServer((req, res) => {
    const file = decodeURIComponent(req.url!.slice('/bucket/'.length));
    asked.set(file, (asked.get(file) ?? 0) + 1);
    answer(file, asked.get(file)!, req, res);
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(host.address() as AddressInfo).port}/bucket`,
    asked,
    close: () => new Promise<void>((r) => { host.closeAllConnections(); host.close(() => r()); }),
  };
}

const ndjson = (file: string) => readFileSync(join(dir, 'ndjson', file));

describe('seed --mode import: connections', () => {
  it('should fetch an input again when its connection is closed before any byte of the answer (the sandbox side)', async () => {
    // Each file's first GET has its socket closed unanswered: what the sandbox met on a kept-alive socket the
    // seeder's file server had just closed ("other side closed").
    const host = await fileHost((file, asked, req, res) => {
      if (asked === 1) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson' }).end(ndjson(file));
    });
    try {
      const summary = await seedImport({ ...testConnection(server().url), dir, inputBaseUrl: host.base, importHost: '127.0.0.1', importPort: 0, verify: true, maxPollMs: 50 });
      expect(summary.ok).toBe(true);
      expect(summary.verify?.every((r) => r.ok)).toBe(true);
      expect([...host.asked.values()].every((n) => n === 2)).toBe(true);
      expect(host.asked.size).toBe(summary.inputs.length);
    } finally {
      await host.close();
    }
  });

  it('should say, when the job fails, how many resources it stored stay on the server, and to seed again or purge --run', async () => {
    const files = readdirSync(join(dir, 'ndjson')).filter((f) => f.endsWith('.ndjson')).sort();
    const first = files[0]!;
    const firstLines = ndjson(first).toString('utf8').split('\n').filter((l) => l.trim()).length;
    const total = Object.values(manifestCounts(dir)).reduce((a, b) => a + b, 0);
    // The first file is served; every later one is closed unanswered, every time (more than the attempts allow).
    const host = await fileHost((file, _asked, req, res) => {
      if (file !== first) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson' }).end(ndjson(file));
    });
    try {
      const run = await runCommand(seedCommand, ['seed', dir, '--server', server().url, '--mode', 'import', '--input-base-url', host.base]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(run.stderr).toContain(`cannot fetch input ${host.base}/${files[1]}`);
      expect(run.stderr).toContain('(3 attempts)');
      expect(run.stderr).toContain(`the ${firstLines} resources stored before it stay on the server`);
      // What the server holds of the run, counted after the failure (the first test loaded all of it).
      expect(run.stderr).toContain(` — the server holds ${total} resources of run ${runId} (stored before the job failed, or by an earlier seed): seed again (the same ids are overwritten), or remove them with fhirseed purge --server ${server().url} --run ${runId}\n`);
    } finally {
      await host.close();
    }
  });

  it('should say nothing was stored when the first input already fails, not "the 0 resources stored before it stay", nor that some may stay', async () => {
    expect((await runCommand(purgeCommand, ['purge', '--server', server().url, '--run', runId])).exitCode).toBe(0);
    const host = await fileHost((_file, _asked, req) => void req.socket.destroy());
    try {
      const run = await runCommand(seedCommand, ['seed', dir, '--server', server().url, '--mode', 'import', '--input-base-url', host.base]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`; nothing was stored before it — the server holds no resource of run ${runId}: seed again once the cause is mended\n`);
      expect(run.stderr).not.toContain('0 resources stored before it');
      expect(run.stderr).not.toContain('may stay');
    } finally {
      await host.close();
    }
  });

  it('should print purge progress to stderr at each tenth when there is no terminal (s12 trial item 5)', async () => {
    const loaded = await seedImport({ ...testConnection(server().url), dir, importHost: '127.0.0.1', importPort: 0, verify: true, maxPollMs: 50 });
    expect(loaded.ok).toBe(true);
    const run = await runCommand(purgeCommand, ['purge', '--server', server().url, '--run', runId]);
    expect(run.exitCode, run.stderr).toBe(0);
    const total = Number(/deleting (\d+) tagged resources/.exec(run.stdout)![1]);
    expect(total).toBeGreaterThan(100);
    const lines = run.stderr.split('\n').filter(Boolean);
    // A line each time a new tenth is reached (deletes finish in batches, so one may pass a tenth by some way, or two
    // tenths at once: one line), its percentage the share done at that line, rounded down (tenthsReporter).
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.length).toBeLessThanOrEqual(9);
    const tenths = lines.map((line) => {
      const [, done, of, percent] = /^purge: deleted (\d+) of (\d+) \((\d+) %\)$/.exec(line)!.map(Number);
      expect(of).toBe(total);
      expect(percent).toBe(Math.floor((done! * 100) / total));
      return Math.floor((done! * 10) / total);
    });
    tenths.forEach((tenth, i) => expect(tenth).toBeGreaterThan(i === 0 ? 0 : tenths[i - 1]!));
    expect(tenths.at(-1)).toBeLessThan(10);
    expect(run.stdout).toContain(`deleted ${total}\n`);
  }, 600_000);

  it("should keep the seeder's file server's idle connections open past Node's 5 s keep-alive", async () => {
    const files = readdirSync(join(dir, 'ndjson')).filter((f) => f.endsWith('.ndjson')).sort();
    const served = await serveFiles(join(dir, 'ndjson'), files, '127.0.0.1', 0);
    const url = new URL(`${served.base}/${files[0]}`);
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    let closed = false;
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('close', () => (closed = true));
    const get = `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n\r\n`;
    const answers = () => received.split('HTTP/1.1 200 OK').length - 1;
    try {
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write(get);
      await waitFor(() => answers() === 1, 5000);
      await new Promise((r) => setTimeout(r, 6000));
      expect(closed).toBe(false);
      socket.write(get);
      await waitFor(() => answers() === 2, 5000);
      expect(closed).toBe(false);
    } finally {
      socket.destroy();
      await served.close();
    }
  }, 30_000);
});

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

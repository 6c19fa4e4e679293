// s16 trial S4/S5/S1: a server that goes away mid-seed stops the seed (exit 2, one line, the checkpoint resumable, nothing
// dead-lettered, no verify); a 401 mid-seed says what was dead-lettered before; a plain seed over an unfinished
// checkpoint says it starts afresh. The first case is a `fhirseed serve` child (dist/) stopped with SIGTERM mid-seed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { seed, statePaths } from '../../src/seed/seed.js';
import { startServer } from '../../src/serve/index.js';
import { runCliChild } from '../serve/helpers.js';
import { runCommand } from './helpers/cli.js';
import { closedPort } from './helpers/port.js';
import { testSeedOptions, uniqueRunId } from './helpers/data.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { suiteServer } from './helpers/server.js';

const suite = suiteServer();
const temp = suite.temp;
/** Serve children still running when a test fails: stopped after the file. */
const running = new Set<{ stop: (signal?: NodeJS.Signals) => Promise<unknown> }>();
afterAll(async () => {
  for (const child of running) await child.stop('SIGKILL');
});

interface CheckpointFile {
  doneBelow: number;
  doneAbove: number[];
  finished: boolean;
}
const readCheckpoint = (dir: string) => JSON.parse(readFileSync(statePaths({ dir }).checkpoint, 'utf8')) as CheckpointFile;

describe('seed: the server goes away mid-run', () => {
  it('should stop with one line and exit 2, dead-letter nothing, keep the checkpoint resumable, and complete with --resume once the server is back', async () => {
    const dir = join(temp.dir, 'gone');
    const fixture = writeFixtureOutput(dir, { members: 20, runId: uniqueRunId('gone') });
    const packages = join(temp.dir, 'no-packages');
    mkdirSync(packages, { recursive: true });
    const port = await closedPort();
    const storeFile = join(temp.dir, 'store.sqlite');
    const first = await runCliChild(['serve', '--port', String(port), '--store', storeFile, '--packages', packages]);
    running.add(first);
    const url = first.url.replace(/\/+$/, '');

    const seeding = runCommand(seedCommand, ['seed', dir, '--server', url, '--bundle-size', '3', '--concurrency', '1', '--max-retries', '2', '--timeout', '10']);
    // Stop the server once part of the run is acknowledged.
    const checkpoint = statePaths({ dir }).checkpoint;
    for (let polls = 0; !(existsSync(checkpoint) && readCheckpoint(dir).doneBelow >= 3); polls++) {
      if (polls > 3000) throw new Error('the seed never reached its third member');
      await new Promise((r) => setTimeout(r, 10));
    }
    running.delete(first);
    expect((await first.stop('SIGTERM')).code).toBe(130);
    const run = await seeding;

    expect(run.exitCode, run.stderr).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^fhirseed: ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} stopped answering \\(.*(connection refused|closed).*\\); sending stopped: \\d+ of 20 members acknowledged, in .*checkpoint\\.json; run again with --resume when it is back`));
    expect(run.stdout).not.toMatch(/verify/);
    const atStop = readCheckpoint(dir);
    expect(atStop.finished).toBe(false);
    expect(atStop.doneBelow).toBeLessThan(20);
    const deadLetter = statePaths({ dir }).deadLetter;
    expect(existsSync(deadLetter) ? readFileSync(deadLetter, 'utf8') : '').toBe('');

    // Back on the same port and store (in this process: a second child start costs ~10 s on a loaded machine).
    const second = await startServer({ port, host: '127.0.0.1', store: 'sqlite', storeFile, packagesDir: packages });
    running.add({ stop: () => second.close() });
    const resumed = await seed(testSeedOptions(url, dir, { resume: true, bundleSize: 3 }));
    await second.close();
    running.clear();
    expect(resumed.skippedMembers).toBeGreaterThanOrEqual(atStop.doneBelow);
    expect(resumed.deadLettered).toBe(0);
    expect(resumed.verify?.map((r) => [r.type, r.actual])).toEqual(Object.entries(fixture.byType).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(resumed.ok).toBe(true);
    expect(readCheckpoint(dir).finished).toBe(true);
  }, 240_000);

  it('should say, when the credentials are refused mid-run, what the server refused before (dead-lettered) and to resume', async () => {
    const dir = join(temp.dir, 'refused');
    const runId = uniqueRunId('refused');
    writeFixtureOutput(dir, { members: 8, runId, eobs: 1 });
    let writes = 0;
    const proxy = await startFaultProxy(suite.server().url, (_n, req, body) => {
      if (req.method !== 'POST') return { kind: 'pass' };
      writes++;
      // The second write: one entry refused (dead-lettered); from the fifth on, the token is no longer taken.
      if (writes >= 5) return { kind: 'status', status: 401 };
      const first = (body as { entry?: { resource?: { id?: string } }[] }).entry?.[0]?.resource?.id;
      return writes === 2 && first ? { kind: 'fail-entries', statuses: new Map([[first, 422]]) } : { kind: 'pass' };
    });
    const tokenFile = join(temp.dir, 'token');
    writeFileSync(tokenFile, 'tok-a\n');
    try {
      const run = await runCommand(seedCommand, ['seed', dir, '--server', proxy.url, '--auth', 'bearer', '--token-file', tokenFile, '--bundle-size', '3', '--concurrency', '1']);
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/HTTP 401 — the server refused the credentials \(bearer\).*; sending stopped: \d+ of 8 members acknowledged, in .*checkpoint\.json; run again with --resume to send the rest; 1 entries the server refused before are in .*dead-letter\.ndjson \(then --retry-dead-letter\)/);
      expect(readCheckpoint(dir).finished).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

describe('seed: an unfinished checkpoint found without --resume', () => {
  it('should say what it found and that it starts afresh', async () => {
    const dir = join(temp.dir, 'afresh');
    writeFixtureOutput(dir, { members: 6, runId: uniqueRunId('afresh') });
    const url = suite.server().url;
    await seed(testSeedOptions(url, dir, { verify: false }));
    // As an interrupted run leaves it: 2 of 6 members acknowledged, not finished.
    const path = statePaths({ dir }).checkpoint;
    const data = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile;
    writeFileSync(path, JSON.stringify({ ...data, doneBelow: 2, doneAbove: [4], finished: false }));
    const deadLetter = statePaths({ dir }).deadLetter;
    writeFileSync(deadLetter, '{"earlier":"run"}\n');

    const run = await runCommand(seedCommand, ['seed', dir, '--server', url, '--no-verify']);
    expect(run.exitCode, run.stderr).toBe(0);
    // The earlier run's dead letters go once this run has acknowledged something (nothing refused: empty).
    expect(readFileSync(deadLetter, 'utf8')).toBe('');
    expect(run.stderr).toMatch(/^fhirseed: an unfinished seed of run \S+ to \S+ is in \S+checkpoint\.json \(3 of 6 members acknowledged\); starting afresh without --resume \(--resume would skip those 3; the checkpoint is kept until this run's first acknowledgement\)\n$/);
    // A finished checkpoint is no news.
    const again = await runCommand(seedCommand, ['seed', dir, '--server', url, '--no-verify']);
    expect(again.stderr).toBe('');
  });

  it('should keep the unfinished checkpoint when the fresh run stops before anything is acknowledged (V #4), and not suggest --resume for nothing (V #13)', async () => {
    const dir = join(temp.dir, 'kept');
    writeFixtureOutput(dir, { members: 6, runId: uniqueRunId('kept') });
    const url = suite.server().url;
    // One server URL for the whole test (a checkpoint is for one server): the proxy, passing until told to refuse.
    let refuse = false;
    const proxy = await startFaultProxy(url, (_n, req) => (refuse && req.method === 'POST' ? { kind: 'status', status: 401 } : { kind: 'pass' }));
    try {
      await seed(testSeedOptions(proxy.url, dir, { verify: false }));
      const path = statePaths({ dir }).checkpoint;
      const data = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile;
      const unfinished = JSON.stringify({ ...data, doneBelow: 2, doneAbove: [4], finished: false });
      writeFileSync(path, unfinished);
      const deadLetter = statePaths({ dir }).deadLetter;
      writeFileSync(deadLetter, '{"earlier":"run"}\n');

      // Every write refused (401) from the first: nothing acknowledged, the earlier resume point kept and named.
      refuse = true;
      const refused = await runCommand(seedCommand, ['seed', dir, '--server', proxy.url, '--no-verify']);
      expect(refused.exitCode, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(/sending stopped before anything was acknowledged; the earlier unfinished seed in \S+checkpoint\.json is kept \(3 of 6 members acknowledged\): run again with --resume to continue it\n$/);
      expect(readFileSync(path, 'utf8')).toBe(unfinished);
      expect(readFileSync(deadLetter, 'utf8')).toBe('{"earlier":"run"}\n');

      // Resumed, it continues the earlier run and finishes.
      refuse = false;
      const resumed = await runCommand(seedCommand, ['seed', dir, '--server', proxy.url, '--resume', '--no-verify']);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(readCheckpoint(dir).finished).toBe(true);
    } finally {
      await proxy.close();
    }

    // No earlier checkpoint to keep, nothing acknowledged: no --resume suggested.
    const fresh = join(temp.dir, 'fresh-refused');
    writeFixtureOutput(fresh, { members: 4, runId: uniqueRunId('fresh-refused') });
    const proxy2 = await startFaultProxy(url, (_n, req) => (req.method === 'POST' ? { kind: 'status', status: 401 } : { kind: 'pass' }));
    try {
      const run = await runCommand(seedCommand, ['seed', fresh, '--server', proxy2.url, '--no-verify']);
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/; sending stopped before anything was acknowledged \(0 of 4 members\); run again\n$/);
      expect(run.stderr).not.toMatch(/--resume/);
    } finally {
      await proxy2.close();
    }
  });
});

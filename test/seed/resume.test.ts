import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/seed/connect.js';
import { seed, statePaths } from '../../src/seed/seed.js';
import { countTagged, runTagToken } from '../../src/seed/verify.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { testConnection, testSeedOptions, uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { suiteServer } from './helpers/server.js';

const helpers = fileURLToPath(new URL('./helpers/', import.meta.url));
const suite = suiteServer();
const temp = suite.temp;

interface CheckpointFile {
  directoryDone: boolean;
  doneBelow: number;
  doneAbove: number[];
  finished: boolean;
}

describe('resume', () => {
  it('should continue a seeding process killed with SIGKILL part-way, with exact counts and nothing sent twice', async () => {
    const dir = join(temp.dir, 'killed');
    const runId = uniqueRunId('resume');
    const members = 40;
    const fixture = writeFixtureOutput(dir, { members, runId, eobs: 1 });
    // Every write the server sees, by resource: to show the resumed run skips what was acknowledged.
    const writesPerMember = new Map<string, number>();
    const proxy: FaultProxy = await startFaultProxy(suite.server().url, (_n, req, body) => {
      for (const e of (body as { entry?: { resource?: { resourceType?: string; id?: string } }[] } | undefined)?.entry ?? []) {
        if (e.resource?.resourceType === 'Patient') writesPerMember.set(e.resource.id!, (writesPerMember.get(e.resource.id!) ?? 0) + 1);
      }
      return req.method === 'POST' ? { kind: 'slow', delayMs: 40 } : { kind: 'pass' };
    });
    const checkpointPath = statePaths({ dir }).checkpoint;
    const child = spawn(
      process.execPath,
      [join(helpers, 'seed-child.mjs'), JSON.stringify({ server: proxy.url, dir, mode: 'transaction', bundleSize: 3, concurrency: 1, dryRun: false, resume: false, retryDeadLetter: false, verify: false })],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));

    // Kill it once a few bundles are acknowledged and well before the end.
    const deadline = Date.now() + 30_000;
    let progress: CheckpointFile | undefined;
    while (Date.now() < deadline) {
      if (existsSync(checkpointPath)) {
        progress = JSON.parse(readFileSync(checkpointPath, 'utf8')) as CheckpointFile;
        if (progress.doneBelow >= 6) break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe(-1);
    const atKill = JSON.parse(readFileSync(checkpointPath, 'utf8')) as CheckpointFile;
    expect(atKill.directoryDone).toBe(true);
    expect(atKill.finished).toBe(false);
    expect(atKill.doneBelow).toBeGreaterThanOrEqual(6);
    expect(atKill.doneBelow).toBeLessThan(members);

    const resumed = await seed(testSeedOptions(proxy.url, dir, { resume: true, bundleSize: 3, concurrency: 2 }));
    await proxy.close();
    expect(resumed.skippedMembers).toBeGreaterThanOrEqual(atKill.doneBelow);
    expect(resumed.ok).toBe(true);
    expect(resumed.verify?.every((r) => r.ok)).toBe(true);
    // The members acknowledged before the kill were not sent again.
    const acknowledged = Array.from({ length: atKill.doneBelow }, (_, m) => `fx-${runId}-${m}`);
    for (const id of acknowledged) expect(writesPerMember.get(id)).toBe(1);
    expect([...writesPerMember.keys()]).toHaveLength(members);

    const { client } = connect(testConnection(suite.server().url));
    for (const [type, n] of Object.entries(fixture.byType)) expect(await countTagged(client, type, runTagToken(runId))).toBe(n);
    await client.close();
    expect((JSON.parse(readFileSync(checkpointPath, 'utf8')) as CheckpointFile).finished).toBe(true);
  });

  it('should refuse to resume a checkpoint made for another server', async () => {
    const dir = join(temp.dir, 'other');
    writeFixtureOutput(dir, { members: 2, runId: uniqueRunId('other') });
    await seed(testSeedOptions(suite.server().url, dir, { verify: false }));
    const elsewhere = `${suite.server().url}/elsewhere`;
    await expect(seed(testSeedOptions(elsewhere, dir, { resume: true }))).rejects.toThrow(/checkpoint .* is for/);
  });
});

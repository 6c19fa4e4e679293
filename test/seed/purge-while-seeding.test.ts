// s16 trial S2: `purge --run R` while a seed of R wrote to the server planned 12,901, counted "of 12901" and ended
// "deleted 35288". Now it refuses while a seed of R into that server runs on this machine, and where resources of R
// appear while it purges (a seed elsewhere) its figures say so.
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { purgeCommand } from '../../src/cli/commands/purge.js';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markSeeding, runningSeeds } from '../../src/seed/seeding-marker.js';
import { runCommand } from './helpers/cli.js';
import { uniqueRunId } from './helpers/data.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { population, tag } from './helpers/purge-population.js';
import { suiteServer } from './helpers/server.js';

const suite = suiteServer();

async function put(base: string, resources: Resource[]): Promise<void> {
  for (const r of resources) {
    const answer = await fetch(`${base}/${r.resourceType}/${r.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(r) });
    expect(answer.status).toBeLessThan(300);
  }
}

describe('purge while the run is being seeded', () => {
  it('should remove the marker of a seed killed before it could (kill -9), and not count it', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const server = 'http://127.0.0.1:9/fhir';
    const stale = join(tmpdir(), `fhirseed-seeding-0000000000000000-${dead}.json`);
    writeFileSync(stale, JSON.stringify({ pid: dead, server, runId: 'r', dir: '/nowhere' }));
    expect(runningSeeds(server, 'r')).toEqual([]);
    expect(existsSync(stale)).toBe(false);
    // The next seed's own mark clears them too, of any server.
    writeFileSync(stale, JSON.stringify({ pid: dead, server: 'http://elsewhere/fhir', runId: 'r', dir: '/nowhere' }));
    markSeeding(server, 'r2', '/nowhere')();
    expect(existsSync(stale)).toBe(false);
  });

  it('should refuse while a seed of the run into that server runs on this machine, and purge once it has ended', async () => {
    const url = suite.server().url;
    const run = uniqueRunId('purge-seeding');
    await put(url, population(run, 2));
    const unmark = markSeeding(url, run, '/tmp/some-output');
    try {
      const refused = await runCommand(purgeCommand, ['purge', '--server', url, '--run', run]);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toBe(`fhirseed: a seed of run ${run} into ${url} is running on this machine (pid ${process.pid}, output /tmp/some-output): purging now would delete what it is writing; let it finish or stop it (Ctrl-C), then purge\n`);
      // Another run, and a dry run, are not held up.
      expect((await runCommand(purgeCommand, ['purge', '--server', url, '--run', `${run}-other`])).exitCode).toBe(0);
      expect((await runCommand(purgeCommand, ['purge', '--server', url, '--run', run, '--dry-run'])).stdout).toMatch(/^would delete 5 tagged/);
    } finally {
      unmark();
    }
    const done = await runCommand(purgeCommand, ['purge', '--server', url, '--run', run]);
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/\ndeleted 5\n/);
  });

  it('should say how many more than it listed appeared while purging', async () => {
    const url = suite.server().url;
    const run = uniqueRunId('purge-appear');
    await put(url, population(run, 2));
    // Three more Patients of the run arrive with purge's first DELETE, as a seed elsewhere would write them.
    let arrived = false;
    const deletes = (req: { method?: string }, body: unknown) =>
      req.method === 'DELETE' || Boolean((body as { entry?: { request?: { method?: string } }[] } | undefined)?.entry?.some((e) => e.request?.method === 'DELETE'));
    const proxy = await startFaultProxy(url, (_n, req, body) => {
      if (arrived || !deletes(req, body)) return { kind: 'pass' };
      arrived = true;
      return { kind: 'after', settled: put(url, [0, 1, 2].map((n): Resource => ({ resourceType: 'Patient', id: `late${n}-${run.slice(-10)}`, ...tag(run) }))) };
    });
    try {
      const result = await runCommand(purgeCommand, ['purge', '--server', proxy.url, '--run', run]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^deleting 5 tagged resources/);
      expect(result.stdout).toContain(`\ndeleted 8 (the 5 listed and 3 more of run ${run} that appeared while purging: a seed running?)\n`);
    } finally {
      await proxy.close();
    }
  });
});

// U13 of session 14: `purge --run never-was-1` on a server holding another fhirseed run's resources said "no resources
// with the fhirseed tag", which is untrue. It now names the run none carries and how to list the runs there are.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { purgeCommand } from '../../src/cli/commands/purge.js';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../../src/fhir/context.js';
import { startServer } from '../../src/serve/index.js';
import { runCommand } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

describe('purge --run of a run the server does not hold', () => {
  const temp = tempDir('fhirseed-purge-unknown-');
  let server: Awaited<ReturnType<typeof startServer>> | undefined;

  beforeAll(async () => {
    mkdirSync(join(temp.dir, 'ndjson'));
    const tag = [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: 'held-1' }];
    writeFileSync(join(temp.dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'p1', meta: { tag } })}\n`);
    server = await startServer({ port: 0, dir: temp.dir });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    temp.remove();
  });

  it('should say no resource carries that run\'s tag and how to list the runs, delete nothing, exit 0', async () => {
    const run = await runCommand(purgeCommand, ['purge', '--server', server!.url, '--run', 'never-was-1']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe("no resource carries the tag of run never-was-1: nothing to delete (purge --all-fhirseed --dry-run counts the resources of every fhirseed run on the server; a run's id is the runId in its output's manifest.json)");
    // The other run's resource is still there.
    expect((await fetch(`${server!.url}/Patient/p1`)).status).toBe(200);
    // --all-fhirseed --dry-run, as the line says, counts it.
    const all = await runCommand(purgeCommand, ['purge', '--server', server!.url, '--all-fhirseed', '--dry-run']);
    expect(all.stdout).toMatch(/^would delete 1 tagged resources, in this order:\n/);
  }, 120_000);
});

// Two payers from one seed (s15 N's leftover): a profile copied to make a second payer keeps the first's seed. Every id
// hashed the seed alone, so both outputs had the same Patient, Organization, Practitioner, network… ids with other
// content: loaded into one server, the later overwrote the earlier, and `purge --run` of it deleted what the other
// run's claims refer to. Ids are now scoped to the profile's name and seed (src/story/run-keys.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeCommand } from '../../src/cli/commands/purge.js';
import { seedCommand } from '../../src/cli/commands/seed.js';
import type { Manifest } from '../../src/output/generate.js';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { directoryKey, memberKey } from '../../src/story/run-keys.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { runCommand } from '../seed/helpers/cli.js';

/** Every resource of an output's NDJSON files. */
function resources(dir: string): Resource[] {
  return readdirSync(join(dir, 'ndjson'))
    .filter((f) => f.endsWith('.ndjson'))
    .flatMap((f) => readFileSync(join(dir, 'ndjson', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Resource));
}
const keyOf = (r: Resource) => `${r.resourceType}/${r.id}`;

describe('ids of two profiles sharing a seed', () => {
  const temp = tempDir('fhirseed-run-scoped-ids-');
  const first = { ...shippedProfile('default'), members: 1 };
  const second = { ...first, name: 'second-payer' };
  const [dirA, dirB] = [join(temp.dir, 'a'), join(temp.dir, 'b')];
  let manifests: Manifest[];
  let server: RunningServer | undefined;

  beforeAll(async () => {
    manifests = [generateTo(dirA, first), generateTo(dirB, second)];
    server = await startServer({ port: 0 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  it('should give the same keys for the same profile and others for another name with the seed kept', () => {
    expect([directoryKey(first), memberKey(first, 0)]).toEqual([directoryKey({ ...first }), memberKey({ ...first }, 0)]);
    expect(directoryKey(second)).not.toBe(directoryKey(first));
    expect(memberKey(second, 0)).not.toBe(memberKey(first, 0));
  });

  it('should have no Type/id in common', () => {
    const a = new Set(resources(dirA).map(keyOf));
    const shared = resources(dirB).map(keyOf).filter((k) => a.has(k));
    expect(a.size).toBeGreaterThan(100);
    expect(shared).toEqual([]);
  });

  it('should keep one run whole on a server holding both after the other run is purged', async () => {
    const url = server!.url;
    // B first, then A: with shared ids A would overwrite B's and re-tag them A, and the purge of A would take them.
    for (const dir of [dirB, dirA]) expect((await runCommand(seedCommand, ['seed', dir, '--server', url])).exitCode).toBe(0);
    const purge = await runCommand(purgeCommand, ['purge', '--server', url, '--run', manifests[0]!.runId]);
    expect(purge.exitCode).toBe(0);
    // Every resource of B is on the server with B's content (meta aside: the server sets versionId and lastUpdated).
    const mine = resources(dirB);
    const held: Resource[] = [];
    for (let i = 0; i < mine.length; i += 16) {
      held.push(...(await Promise.all(mine.slice(i, i + 16).map(async (r) => (await fetch(`${url}/${keyOf(r)}`)).json() as Promise<Resource>))));
    }
    const strip = ({ meta, ...rest }: Resource) => ({ ...rest, tag: meta?.tag });
    expect(held.map(strip)).toEqual(mine.map(strip));
  }, 240_000);
});

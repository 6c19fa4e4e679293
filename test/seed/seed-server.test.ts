import { describe, expect, it } from 'vitest';
import { pingCommand } from '../../src/cli/commands/ping.js';
import { purgeCommand } from '../../src/cli/commands/purge.js';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { connect } from '../../src/seed/connect.js';
import { purge } from '../../src/seed/purge.js';
import { seed } from '../../src/seed/seed.js';
import { SEED_MODES } from '../../src/seed/send.js';
import { generateTo, shippedProfile } from '../helpers/output.js';
import { runCommand } from './helpers/cli.js';
import { manifestCounts, testConnection, testSeedOptions, uniqueRunId } from './helpers/data.js';
import { suiteServer, taggedCounts } from './helpers/server.js';

/** The default population, small: each mode, twice, then purge. */
const MEMBERS = 6;
const suite = suiteServer();
const temp = suite.temp;

let seeds = 0;
/** A small default population under its own run id and seed (the seed alone fixes the resource ids). */
function generated(name: string): { dir: string; runId: string; expected: Record<string, number> } {
  const dir = `${temp.dir}/${name}`;
  const runId = uniqueRunId(name);
  generateTo(dir, { ...shippedProfile('default'), members: MEMBERS, seed: 7100 + ++seeds }, { runId });
  return { dir, runId, expected: manifestCounts(dir) };
}

const tagged = (runId: string, types: string[]) => taggedCounts(suite.server().url, runId, types);

describe('seeding the default population', () => {
  for (const mode of SEED_MODES) {
    it(`should load every resource exactly once in ${mode} mode, twice over, and verify the counts`, async () => {
      const { dir, runId, expected } = generated(mode);
      const first = await seed(testSeedOptions(suite.server().url, dir, { mode, bundleSize: 40 }));
      expect(first.deadLettered).toBe(0);
      expect(first.verify?.every((r) => r.ok)).toBe(true);
      expect(first.sent).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
      const second = await seed(testSeedOptions(suite.server().url, dir, { mode, bundleSize: 40 }));
      expect(second.ok).toBe(true);
      expect(await tagged(runId, Object.keys(expected))).toEqual(expected);
    });
  }

  it('should report a dry run and send nothing', async () => {
    const { dir, runId, expected } = generated('dry');
    const run = await runCommand(seedCommand, ['seed', dir, '--server', suite.server().url, '--dry-run']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/dry run: would send \d+ resources/);
    expect(Object.values(await tagged(runId, Object.keys(expected))).every((n) => n === 0)).toBe(true);
  });
});

describe('ping', () => {
  it('should pass for seeded test members and fail, exit 1, for a member who is not there', async () => {
    const { dir } = generated('ping');
    expect((await seed(testSeedOptions(suite.server().url, dir))).ok).toBe(true);
    const good = await runCommand(pingCommand, ['ping', '--server', suite.server().url, '--accounts', `${dir}/test-accounts.json`, '--members', '3']);
    expect(good.stdout).toMatch(/member .*: ExplanationOfBenefit +PASS/);
    expect(good.stdout).toMatch(/CapabilityStatement +PASS/);
    const lines = good.stdout.split('\n').filter((l) => / FAIL /.test(l));
    // Only profile declarations may fail against a server that does not list them.
    expect(lines.every((l) => /profiles declared/.test(l))).toBe(true);
    const missing = `${temp.dir}/missing-accounts.json`;
    (await import('node:fs')).writeFileSync(missing, JSON.stringify([{ patientId: 'no-such-member-xyz', memberId: 'X1', claims: { professional: 1 } }]));
    const bad = await runCommand(pingCommand, ['ping', '--server', suite.server().url, '--accounts', missing]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/member X1: Patient +FAIL/);
  });
});

describe('purge', () => {
  it('should list first, delete only what carries the run tag, and leave untagged resources alone', async () => {
    const { dir, runId, expected } = generated('purge');
    const other = generated('purge-other');
    expect((await seed(testSeedOptions(suite.server().url, dir))).ok).toBe(true);
    expect((await seed(testSeedOptions(suite.server().url, other.dir))).ok).toBe(true);
    const { client } = connect(testConnection(suite.server().url));
    const untaggedId = `untagged-${runId}`.slice(0, 64);
    const put = await client.send('PUT', `Patient/${untaggedId}`, { resourceType: 'Patient', id: untaggedId, meta: { tag: [{ system: 'urn:other', code: runId }] } });
    expect([200, 201]).toContain(put.status);

    const dry = await runCommand(purgeCommand, ['purge', '--server', suite.server().url, '--run', runId, '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/would delete \d+ tagged resources/);
    expect(dry.stdout.indexOf('ExplanationOfBenefit')).toBeLessThan(dry.stdout.indexOf('Patient'));
    expect(await tagged(runId, Object.keys(expected))).toEqual(expected);

    const real = await runCommand(purgeCommand, ['purge', '--server', suite.server().url, '--run', runId]);
    expect(real.exitCode).toBe(0);
    expect(Object.values(await tagged(runId, Object.keys(expected))).every((n) => n === 0)).toBe(true);
    expect(await tagged(other.runId, Object.keys(other.expected))).toEqual(other.expected);
    expect((await client.send('GET', `Patient/${untaggedId}`)).status).toBe(200);
    await client.send('DELETE', `Patient/${untaggedId}`);
    await client.close();
    await purge({ ...testConnection(suite.server().url), runId: other.runId, allFhirseed: false, dryRun: false });
  });

  it('should refuse a server that is not on this machine without --production', async () => {
    const run = await runCommand(purgeCommand, ['purge', '--server', 'https://fhir.example.org/r4', '--all-fhirseed']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--production/);
  });
});

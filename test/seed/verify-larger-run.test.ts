// Seeding a smaller output under a run id a larger one was seeded with (s13 trial item 9): verify's table showed
// "26 of 37 types differ" and nothing more. The last line now says the server holds more of this run than the output,
// why that happens and how to start clean; a shortfall (fewer on the server) gets no such line.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { formatVerify } from '../../src/seed/report.js';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { describeEmbedded } from '../helpers/fhir-server.js';
import { runCommand } from './helpers/cli.js';
import { connect } from '../../src/seed/connect.js';
import { runTagToken, verifyCounts } from '../../src/seed/verify.js';
import { testConnection, uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { tempDir } from './helpers/temp.js';

describeEmbedded('seed verify: a run id seeded before with more members', () => {
  const temp = tempDir('fhirseed-verify-larger-');
  const runId = uniqueRunId('larger');
  const [large, small] = [join(temp.dir, 'large'), join(temp.dir, 'small')];
  let server: RunningServer;

  beforeAll(async () => {
    writeFixtureOutput(large, { members: 4, runId });
    writeFixtureOutput(small, { members: 2, runId });
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
    temp.remove();
  });

  it('should say the server holds more under the run than this output, and how to start clean', async () => {
    expect((await runCommand(seedCommand, ['seed', large, '--server', server.url])).exitCode).toBe(0);
    const run = await runCommand(seedCommand, ['seed', small, '--server', server.url]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/verify: \d+ of \d+ types differ from the manifest\n/);
    // The problem column says each row's difference (it was empty on every row).
    expect(run.stdout).toMatch(/\nPatient +2 +4 +2 more than the manifest\n/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      `verify: the server holds more under run ${runId} than this output: an output with the same run id (same profile and seed, more members) was loaded before; remove it with fhirseed purge --run ${runId}, or generate with another --run-id`,
    );
  });

  it('should say in the problem column how many are missing when the server holds fewer', async () => {
    const patients = (await (await fetch(`${server.url}/Patient?_tag=${encodeURIComponent(runTagToken(runId))}`)).json()) as { entry: { resource: { id: string } }[] };
    expect((await fetch(`${server.url}/Patient/${patients.entry[0]!.resource.id}`, { method: 'DELETE' })).ok).toBe(true);
    const { client } = connect(testConnection(server.url));
    try {
      const rows = await verifyCounts(client, runId, { Patient: 4 });
      expect(rows).toEqual([{ type: 'Patient', expected: 4, actual: 3, ok: false, problem: '1 missing' }]);
      expect(formatVerify(rows, runId)).toMatch(/\nPatient +4 +3 +1 missing\n/);
    } finally {
      await client.close();
    }
  });
});

it('should give the why only when every differing type has more on the server', () => {
  const rows = [
    { type: 'Patient', expected: 2, actual: 4, ok: false },
    { type: 'Coverage', expected: 2, actual: 2, ok: true },
  ];
  expect(formatVerify(rows, 'r1')).toContain('holds more under run r1');
  expect(formatVerify([...rows, { type: 'Claim', expected: 3, actual: 1, ok: false }], 'r1')).not.toContain('holds more');
  expect(formatVerify([...rows, { type: 'Claim', expected: 3, actual: undefined, ok: false, problem: 'HTTP 500' }], 'r1')).not.toContain('holds more');
});


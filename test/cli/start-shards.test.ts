import { readFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { readTree, tempDir } from '../helpers/output.js';
import { expectOneLineExit2, runBin } from '../seed/helpers/bin.js';
import { describeEmbedded, runCliChild } from '../serve/helpers.js';

const quiet = { stdout: () => undefined, stderr: () => undefined, isTty: false };

describeEmbedded('start on shards and cut-short files', () => {
  const temp = tempDir('fhirseed-start-shards-');
  afterAll(() => temp.cleanup());
  const out = join(temp.dir, 'sharded');

  it('should generate shard 1/2 once, saying so, then serve it as it is on the next start --shard 1/2, with its test members', async () => {
    const first = await runCliChild(['start', '--out', out, '--shard', '1/2', '--members', '4', '--port', '0']);
    expect(first.stdout()).toContain(`fhirseed: ${out} does not exist; generating shard 1/2 of the 'default' population into it\n`);
    await first.stop();
    const before = readTree(out);
    const again = await runCliChild(['start', '--out', out, '--shard', '1/2', '--members', '4', '--port', '0']);
    const text = again.stdout();
    expect(text).toContain(`fhirseed: serving shard 1/2 of the 'default' population already in ${out}`);
    expect(text).not.toMatch(/generating/);
    expect(text).toContain('Test members:');
    await again.stop();
    const after = readTree(out);
    // sandbox-store/ is the sandbox's own state (its SQLite store and WAL files), not the generated output.
    for (const [file, bytes] of before) if (!file.startsWith('sandbox-store/')) expect(after.get(file)?.equals(bytes), file).toBe(true);
    expect(after.has('sandbox-store/store.sqlite')).toBe(true);
  }, 120_000);

  it('should refuse a start without --shard on a partial shard set in one line, exit 2, leaving the shard run as it was', async () => {
    const before = readTree(out);
    const run = await runBin(['start', '--out', out, '--port', '0']);
    expectOneLineExit2(run, /holds part of a sharded run \(manifest\.shard-1-of-2\.json is there, manifest\.shard-2-of-2\.json is missing\); give --shard i\/N/);
    const after = readTree(out);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  }, 60_000);

  it('should regenerate a population whose member bundle was cut short (invalid JSON), naming the file', async () => {
    const cut = join(temp.dir, 'cut');
    expect(await runCli(['generate', '--members', '2', '--out', cut], quiet)).toBe(0);
    const bundle = join(cut, 'bundles', 'member-000001.json');
    truncateSync(bundle, Math.floor(statSync(bundle).size / 2));
    const run = await runCliChild(['start', '--out', cut, '--members', '2', '--port', '0']);
    expect(run.stdout()).toContain(`fhirseed: ${cut} holds an incomplete population (bundles/member-000001.json is cut short); generating the 'default' population into it (profile default, seed 20260101, as its manifest.json records)\n`);
    await run.stop();
    expect(() => JSON.parse(readFileSync(bundle, 'utf8'))).not.toThrow();
  }, 120_000);

  // V-report 13: a cut-short dental output of 2 members was replaced by 25 default members.
  it("should make again the profile, members and seed its manifest records when the command line does not give them", async () => {
    const cut = join(temp.dir, 'dental');
    expect(await runCli(['generate', '--profile', 'dental', '--members', '2', '--seed', '7', '--out', cut], quiet)).toBe(0);
    truncateSync(join(cut, 'bundles', 'member-000001.json'), 100);
    const run = await runCliChild(['start', '--out', cut, '--port', '0', '--packages', join(cut, 'bundles')]);
    expect(run.stdout()).toContain(
      `fhirseed: ${cut} holds an incomplete population (bundles/member-000001.json is cut short); generating the 'dental' population into it (profile dental, 2 members, seed 7, as its manifest.json records)\n`,
    );
    await run.stop();
    const manifest = JSON.parse(readFileSync(join(cut, 'manifest.json'), 'utf8'));
    expect([manifest.profile, manifest.members.total, manifest.members.written, manifest.seed]).toEqual(['dental', 2, 2, 7]);
    // What the command line gives wins; only the rest comes from the manifest.
    truncateSync(join(cut, 'bundles', 'member-000001.json'), 100);
    const given = await runCliChild(['start', '--out', cut, '--port', '0', '--members', '3', '--packages', join(cut, 'bundles')]);
    expect(given.stdout()).toContain(`generating the 'dental' population into it (profile dental, seed 7, as its manifest.json records)\n`);
    await given.stop();
    expect(JSON.parse(readFileSync(join(cut, 'manifest.json'), 'utf8')).members.written).toBe(3);
  }, 180_000);
});

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded, runCliChild } from '../serve/helpers.js';

const quiet = { stdout: () => undefined, stderr: () => undefined, isTty: false };

describeEmbedded('start on an incomplete population', () => {
  const temp = tempDir('fhirseed-start-incomplete-');
  afterAll(() => temp.cleanup());

  it('should regenerate an fhirseed output without a manifest (an interrupted run), with the generate options given, and say so in one line', async () => {
    const out = join(temp.dir, 'output');
    // What an interrupted run of an earlier version left: the directory bundle, a member, empty accounts.
    mkdirSync(join(out, 'bundles'), { recursive: true });
    writeFileSync(join(out, 'bundles', 'directory.json'), '{"resourceType":"Bundle","type":"transaction","entry":[]}\n');
    writeFileSync(join(out, 'test-accounts.json'), '');
    const run = await runCliChild(['start', '--out', out, '--port', '0', '--members', '2', '--run-id', 'start-run.1', '--us-core', '3.1.1', '--now', '2025-11-30', '--format', 'bundles', '--max-bundle-entries', '60']);
    const stopped = await run.stop();
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toContain(`fhirseed: ${out} holds an incomplete population (no manifest.json); generating the 'default' population into it\n`);
    expect(stopped.stdout).not.toMatch(/serving .* already/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.runId).toBe('start-run.1');
    expect(manifest.now).toBe('2025-11-30');
    expect(manifest.igs['hl7.fhir.us.core']).toBe('3.1.1');
    expect(manifest.members.written).toBe(2);
    expect(manifest.files.some((f: string) => f.startsWith('ndjson/'))).toBe(false);
    expect(manifest.files).toContain('bundles/directory-2.json');
  }, 120_000);

  it('should regenerate when the manifest lists a file that is missing or counts fewer members than the population', async () => {
    const out = join(temp.dir, 'partial');
    expect(await runCli(['generate', '--members', '2', '--out', out], quiet)).toBe(0);
    rmSync(join(out, 'test-accounts.csv'));
    const run = await runCliChild(['start', '--out', out, '--port', '0', '--members', '2']);
    const stopped = await run.stop();
    expect(stopped.stdout).toContain(`holds an incomplete population (test-accounts.csv, listed in the manifest, is missing); generating`);
    expect(readFileSync(join(out, 'test-accounts.csv'), 'utf8').trim().split('\n')).toHaveLength(3);

    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ ...manifest, members: { ...manifest.members, total: 3 } }));
    const again = await runCliChild(['start', '--out', out, '--port', '0', '--members', '3']);
    const second = await again.stop();
    expect(second.stdout).toContain('holds an incomplete population (2 of 3 members written); generating');
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).members.written).toBe(3);
  }, 180_000);

  it('should say in one line that a complete population is served as it is when --members, --seed or --profile ask for another', async () => {
    const out = join(temp.dir, 'complete');
    expect(await runCli(['generate', '--members', '2', '--out', out], quiet)).toBe(0);
    const manifest = readFileSync(join(out, 'manifest.json'));
    const seed = JSON.parse(manifest.toString()).seed as number;
    // An empty --packages: no IG packages read or downloaded, which this test does not need.
    const run = await runCliChild(['start', '--out', out, '--port', '0', '--members', '5', '--seed', String(seed + 1), '--packages', join(out, 'bundles')]);
    const stopped = await run.stop();
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(
      `fhirseed: ${out} already holds 2 members (profile 'default', seed ${seed}), not --members 5, --seed ${seed + 1}; serving them as they are (empty ${out} or give another --out to generate with --members 5 --seed ${seed + 1})\n`,
    );
    expect(stopped.stdout).not.toMatch(/generating/);
    expect(readFileSync(join(out, 'manifest.json'))).toEqual(manifest);
  }, 120_000);

  it('should serve another profile\'s population without a note when no option asks for another, and name only the options given (V #7)', async () => {
    const out = join(temp.dir, 'commercial');
    expect(await runCli(['generate', '--profile', 'commercial', '--members', '2', '--out', out], quiet)).toBe(0);
    const packages = ['--packages', join(out, 'bundles')];
    const plain = await (await runCliChild(['start', '--out', out, '--port', '0', ...packages])).stop();
    expect(plain.code).toBe(130);
    expect(plain.stdout).toContain(`fhirseed: serving the 'commercial' population already in ${out} (empty it to generate afresh)\n`);
    expect(plain.stdout + plain.stderr).not.toMatch(/already holds|--profile default/);
    const members = await (await runCliChild(['start', '--out', out, '--port', '0', '-n', '5', ...packages])).stop();
    expect(members.stderr).toContain(`, not --members 5; serving them as they are (empty ${out} or give another --out to generate with --members 5)\n`);
    expect(members.stdout).not.toMatch(/already holds/);
    const profile = await (await runCliChild(['start', '--out', out, '--port', '0', '--profile', 'default', ...packages])).stop();
    expect(profile.stderr).toContain(`fhirseed: ${out} already holds 2 members (profile 'commercial', seed `);
    expect(profile.stderr).toContain(`), not --profile default; serving them as they are`);
  }, 180_000);
});

// generate --jobs N starts its worker threads before it reads the code maps and the profile, so that their start-up
// overlaps that (issue 13); they get the setup once the run's checks pass (MemberThreads.begin), and are closed when a
// check fails instead. One worker thread started from the TypeScript sources per case (seconds on a busy machine).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { memberBuilder, type MemberSetup } from '../../src/output/member-builder.js';
import { MemberThreads } from '../../src/output/workers.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';
import { runCliCaptured } from '../helpers/run-cli-captured.js';

const profile = { ...shippedProfile('default'), members: 3 };
const setup: MemberSetup = {
  profile, now: profile.period.end, runId: 'r', usCoreVersion: profile.usCore, igs: ['pdex'],
  render: { formats: new Set(['ndjson'] as const), maxBundleEntries: 500, pretty: false },
};
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const temp = mkdtempSync(join(tmpdir(), 'worker-ahead-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('worker threads started ahead of the setup', () => {
  it('should wait for begin, then build the same bytes as this thread', async () => {
    const builder = memberBuilder(setup, codeMaps);
    const expected = Array.from({ length: 3 }, (_, i) => digest(builder.member(i).bytes));
    const threads = new MemberThreads(undefined, 1);
    try {
      await expect(threads.members(undefined, 0, 3).next()).rejects.toThrow('MemberThreads.members before begin');
    } finally {
      await threads.close();
    }
    const ahead = new MemberThreads(undefined, 1);
    const got: string[] = [];
    try {
      expect(ahead.begin(setup, codeMaps)).toBe(ahead);
      expect(() => ahead.begin(setup, codeMaps)).toThrow('have their setup already');
      for await (const g of ahead.members(undefined, 0, 3)) got.push(digest(g.bytes));
    } finally {
      await ahead.close();
    }
    expect(got).toEqual(expected);
  }, 180_000);

  it.skipIf(availableParallelism() < 2 || !existsSync('/proc/self/task'))('should close them when a check after their start fails (generate --jobs 2, a bad profile)', async () => {
    const bad = join(temp, 'bad.yaml');
    writeFileSync(bad, 'name: [\n');
    const threads = () => readdirSync('/proc/self/task').length;
    // --jobs 1 first: what the command starts besides the workers (libuv's pool) is then running already.
    expect((await runCliCaptured(['generate', '--profile', bad, '--jobs', '1', '--out', join(temp, 'out')])).code).toBe(2);
    const before = threads();
    const run = await runCliCaptured(['generate', '--profile', bad, '--jobs', '2', '--out', join(temp, 'out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml:\d+:\d+/);
    await vi.waitFor(() => expect(threads()).toBe(before), { timeout: 5_000, interval: 50 });
  }, 180_000);
});

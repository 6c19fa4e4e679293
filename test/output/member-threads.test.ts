// MemberThreads (src/output/workers.ts): `--jobs N` is this thread and N − 1 workers. One worker thread started from
// the TypeScript sources per test (a few seconds on a busy machine: see jobs.test.ts), on PDex-only members.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memberBuilder, type MemberSetup } from '../../src/output/member-builder.js';
import { MemberThreads } from '../../src/output/workers.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

const profile = { ...shippedProfile('default'), members: 8 };
const setup: MemberSetup = {
  profile, now: profile.period.end, runId: 'r', usCoreVersion: profile.usCore, igs: ['pdex'],
  render: { formats: new Set(['ndjson'] as const), maxBundleEntries: 500, pretty: false },
};
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('MemberThreads: this thread builds members beside the workers', () => {
  it('should build members on this thread and in the worker, and yield the bytes of one thread in index order', async () => {
    const builder = memberBuilder(setup, codeMaps);
    const alone = Array.from({ length: 8 }, (_, i) => digest(builder.member(i).bytes));
    const builtHere: number[] = [];
    const local = { ...builder, member: (i: number) => (builtHere.push(i), builder.member(i)) };
    const got: string[] = [];
    for await (const g of new MemberThreads(setup, 1).members(local, 0, 8)) got.push(digest(g.bytes));
    expect(got).toEqual(alone);
    // The worker is fed first (members 0 and 1 at least); this thread builds while it is busy.
    expect(builtHere.length).toBeGreaterThan(0);
    expect(builtHere.length).toBeLessThan(8);
    expect(builtHere).not.toContain(0);
  });

  it('should build no member past the end, nor more than (threads × 2) ahead of the one being written', async () => {
    const long: MemberSetup = { ...setup, profile: { ...profile, members: 40 } };
    const builder = memberBuilder(long, codeMaps);
    const builtHere: number[] = [];
    const local = { ...builder, member: (i: number) => (builtHere.push(i), builder.member(i)) };
    let got = 0;
    for await (const _ of new MemberThreads(long, 1).members(local, 0, 3)) got += 1;
    expect(got).toBe(3);
    expect(builtHere.every((i) => i < 3)).toBe(true);
    // The worker starts slowly (modules, code maps): this thread builds ahead, but no further than the window (2 threads × 2).
    builtHere.length = 0;
    for await (const _ of new MemberThreads(long, 1).members(local, 0, 40)) break;
    expect(builtHere.length).toBeGreaterThan(0);
    expect(Math.max(...builtHere)).toBeLessThan(4);
  });

  it("should start each worker with its heap bounded for generate's memory target: old generation 64 MiB, young 32", async () => {
    const threads = new MemberThreads(setup, 1);
    try {
      const [worker] = threads['workers'] as import('node:worker_threads').Worker[];
      expect(worker!.resourceLimits).toMatchObject({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 32 });
    } finally {
      await threads.close();
    }
  });

  it('should rethrow a worker that fails even when this thread could build every member', async () => {
    const builder = memberBuilder(setup, codeMaps);
    const threads = new MemberThreads(setup, 1, '/nonexistent/fhirseed-code-maps');
    const error = await (async () => {
      for await (const _ of threads.members(builder, 0, 6)) void _;
    })().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/^generate worker 0 failed: .*fhirseed-code-maps/);
  });
});

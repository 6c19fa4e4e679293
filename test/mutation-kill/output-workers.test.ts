// src/output/workers.ts (issue 19): `generate --jobs N` against one job byte for byte, members in index order from
// two workers fed as they answer (then terminated), and a member's failure in a worker rethrown with its index. Worker threads load src/
// through ts-worker-hooks.mjs: seconds each on an idle machine, up to a minute at load 40, hence few and small runs
// (this file is over 10 s for that reason).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, generateAsync } from '../../src/output/generate.js';
import { memberBuilder, type MemberSetup } from '../../src/output/member-builder.js';
import { MemberThreads } from '../../src/output/workers.js';
import type { Profile } from '../../src/profile/types.js';
import { UserError } from '../../src/util/errors.js';
import { codeMaps, readTree, shippedProfile, tempDir } from '../helpers/output.js';
import { rejected } from '../helpers/thrown.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
function newDir(): string {
  const t = tempDir('fhirseed-k-workers-');
  temps.push(t.cleanup);
  return t.dir;
}

const base: Profile = shippedProfile('default');
const tiny = (members = 3): Profile => ({ ...base, members });

describe('generateAsync with worker threads', () => {
  it('should write the same bytes with two worker threads as generate on this thread', async () => {
    const options = { profile: tiny(4), codeMaps, igs: ['pdex' as const], maxBundleEntries: 4 };
    const sync = join(newDir(), 'out');
    generate({ ...options, out: sync });
    const two = join(newDir(), 'out');
    const progress: number[] = [];
    await generateAsync({ ...options, out: two, jobs: 2, onProgress: (d) => progress.push(d) });
    expect(progress).toEqual([1, 2, 3, 4]);
    const reference = readTree(sync);
    expect(reference.size).toBeGreaterThan(8);
    expect(readTree(two)).toEqual(reference);
  });
});

describe('MemberThreads without this thread building', () => {
  /** Members [first, end) built on `workers` worker threads alone. */
  const inWorkers = (setup: MemberSetup, workers: number, first: number, end: number) => new MemberThreads(setup, workers).members(undefined, first, end);
  const setup = (over: Partial<MemberSetup['render']> = {}): MemberSetup => ({
    profile: tiny(6), now: base.period.end, runId: 'r', usCoreVersion: base.usCore, igs: ['pdex'],
    render: { formats: new Set(['ndjson'] as const), maxBundleEntries: 500, pretty: false, ...over },
  });

  it("should rethrow a member's failure in a worker, naming the member, and stop the workers", async () => {
    // A render option the worker cannot use: building the member throws there.
    const broken = setup({ formats: {} as Set<'ndjson'> });
    const got: number[] = [];
    const error = await rejected((async () => {
      for await (const g of inWorkers(broken, 2, 1, 3)) got.push(g.bytes.length);
    })());
    expect(got).toEqual([]);
    expect(error).not.toBeInstanceOf(UserError);
    expect(error.message).toMatch(/^member [12]: .*has is not a function/);
    expect(error.stack).toMatch(/\(in the worker\) TypeError/);
  });

  it('should yield the members in index order, the same bytes as built on this thread, each worker fed again as it answers, and end with the workers terminated', async () => {
    const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    const builder = memberBuilder(setup(), codeMaps);
    const expected = [1, 2, 3, 4, 5].map((i) => hash(builder.member(i).bytes));
    const got: string[] = [];
    // Five members, two workers taking up to four each, fed once each is ready.
    const threads = new MemberThreads(setup(), 2);
    for await (const g of threads.members(undefined, 1, 6)) got.push(hash(g.bytes));
    expect(new Set(expected).size).toBe(5);
    expect(got).toEqual(expected);
    expect((threads['workers'] as { threadId: number }[]).map((w) => w.threadId)).toEqual([-1, -1]);
  });
});

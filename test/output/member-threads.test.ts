// MemberThreads (src/output/workers.ts): `--jobs N` is this thread and N − 1 workers. One worker thread started from
// the TypeScript sources per test (a few seconds on a busy machine: see jobs.test.ts), on PDex-only members.
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
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
    const threads = new MemberThreads(setup, 1);
    await vi.waitFor(() => expect(threads['ready'].size).toBe(1), { timeout: 120_000, interval: 50 });
    for await (const g of threads.members(local, 0, 8)) got.push(digest(g.bytes));
    expect(got).toEqual(alone);
    // A ready worker is fed first (members 0–3, its backlog of 4); this thread builds from the next one on while it is busy.
    expect(builtHere.length).toBeGreaterThan(0);
    expect(Math.min(...builtHere)).toBe(4);
  });

  it('should build no member past the end, and build the first members here while the worker starts', async () => {
    const long: MemberSetup = { ...setup, profile: { ...profile, members: 40 } };
    const builder = memberBuilder(long, codeMaps);
    const builtHere: number[] = [];
    const local = { ...builder, member: (i: number) => (builtHere.push(i), builder.member(i)) };
    let got = 0;
    for await (const _ of new MemberThreads(long, 1).members(local, 0, 3)) got += 1;
    expect(got).toBe(3);
    expect(builtHere.every((i) => i < 3)).toBe(true);
    // The worker starts slowly (modules, code maps) and is sent nothing before it is ready: member 0 is built here.
    builtHere.length = 0;
    for await (const _ of new MemberThreads(long, 1).members(local, 0, 40)) break;
    expect(builtHere).toEqual([0]);
  });

  it('should start a member only within 6 MiB of built members waiting and 32 members past the next to write', async () => {
    const threads = new MemberThreads(setup, 1);
    try {
      const mayStart = () => (threads['mayStart'] as () => boolean).call(threads);
      Object.assign(threads, { end: 100, nextToYield: 10, nextToSend: 41, held: 0 });
      expect(mayStart()).toBe(true);
      Object.assign(threads, { nextToSend: 42 });
      expect(mayStart()).toBe(false);
      Object.assign(threads, { nextToSend: 11, held: (6 << 20) - 1 });
      expect(mayStart()).toBe(true);
      Object.assign(threads, { held: 6 << 20 });
      expect(mayStart()).toBe(false);
      Object.assign(threads, { held: 0, nextToSend: 100 });
      expect(mayStart()).toBe(false);
    } finally {
      await threads.close();
    }
  });

  it('should count the bytes of the built members waiting, and none once all are written', async () => {
    const twelve: MemberSetup = { ...setup, profile: { ...profile, members: 12 } };
    const threads = new MemberThreads(twelve, 1);
    const builder = memberBuilder(twelve, codeMaps);
    const heldSeen: number[] = [];
    let written = 0;
    for await (const g of threads.members(builder, 0, 12)) {
      heldSeen.push(threads['held'] as number);
      written += g.bytes.byteLength;
    }
    expect(written).toBeGreaterThan(0);
    expect(Math.max(...heldSeen)).toBeLessThan(6 << 20);
    expect(threads['held']).toBe(0);
  });

  it("should start each worker with its heap bounded for generate's memory target: old generation 64 MiB, young 12 (semi-spaces of 4 MiB)", async () => {
    const threads = new MemberThreads(setup, 1);
    try {
      const [worker] = threads['workers'] as import('node:worker_threads').Worker[];
      expect(worker!.resourceLimits).toMatchObject({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 12 });
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

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeySet } from '../../src/validate/key-set.js';
import type { WorkUnit } from '../../src/validate/stream.js';
import { heapFor, validateUnitsInWorkers, type WorkersOptions } from '../../src/validate/workers.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/output.js';

/**
 * The validate worker pool's bookkeeping (issue 19, mutation testing of src/validate/workers.ts) with
 * `node:worker_threads`' Worker stood in by a scripted one (vi.mock): how many workers start and with what, how
 * units are handed out (two in flight at most per worker), issues put back in unit order whatever worker was
 * faster, coverage and skipped invariants gathered, each way a worker can fail, and the heap limit. Real workers
 * (`validate --jobs 2`) load the IG packages, seconds each: test/validate/jobs.test.ts runs those.
 */

type Message = { index: number; unit: WorkUnit } | 'finish';
const pool = vi.hoisted(() => ({
  workers: [] as any[],
  /** How a worker answers a message; set per test. */
  script: undefined as undefined | ((w: any, m: any) => void),
  jsExists: false,
}));
vi.mock('node:worker_threads', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeWorker extends Emitter {
    readonly sent: unknown[] = [];
    inFlight = 0;
    maxInFlight = 0;
    terminated = 0;
    readonly base: string;
    readonly index = pool.workers.length;
    constructor(
      readonly url: URL,
      readonly options: { workerData: { base: string }; execArgv: string[]; resourceLimits: unknown },
    ) {
      super();
      this.base = options.workerData.base;
      pool.workers.push(this);
    }
    postMessage(m: unknown) {
      this.sent.push(m);
      if (m !== 'finish') this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
      pool.script?.(this, m);
    }
    answer(a: unknown) {
      if ((a as { unit?: number }).unit !== undefined) this.inFlight--;
      this.emit('message', a);
    }
    terminate() {
      this.terminated++;
      return Promise.resolve(0);
    }
  }
  return { Worker: FakeWorker };
});
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return { ...fs, existsSync: (p: string) => (String(p).endsWith('validate-worker.js') ? pool.jsExists : fs.existsSync(p)) };
});
// The base text made on this thread (as when its definitions are loaded): no base-definitions thread among the fakes.
vi.mock('../../src/validate/definitions.js', () => ({ baseDefinitionsLoaded: () => true, baseDefinitionsText: () => 'BASE DEFINITIONS' }));

const temp = tempDir('fhirseed-mk-workers-');
afterAll(() => temp.cleanup());

/** NDJSON units (never stat'ed: the files need not exist). */
const units = (n: number): WorkUnit[] => Array.from({ length: n }, (_, i) => ({ file: `/nowhere/u${i}.ndjson`, start: { ordinal: i, byte: 0, line: 1 }, end: i + 1, duplicates: [] }));
const options = (over: Partial<WorkersOptions> = {}): WorkersOptions & { told: number[] } => {
  const told: number[] = [];
  return { jobs: 2, igs: ['a@1'], packagesDir: '/pk', coverage: ['ig@1'], onUnit: (n) => told.push(n), told, ...over };
};
const later = (f: () => void, ticks = 1) => {
  const go = (k: number) => (k === 0 ? f() : setImmediate(() => go(k - 1)));
  go(ticks);
};
/** Answers each unit after `delay(worker)` ticks with one issue naming the unit, and `finish` with its coverage and skipped invariants. */
const answering = (delay: (w: any) => number) => (w: any, m: Message) =>
  later(() => {
    if (m === 'finish') w.answer({ coverage: [{ claims: [w.index], filled: [] }], skippedInvariants: [['shared', `from ${w.index}`], [`own-${w.index}`, 'x']] });
    else w.answer({ unit: m.index, issues: [{ id: `u${m.index}` }], resources: 10 + m.index });
  }, delay(w));

beforeEach(() => {
  pool.workers = [];
  pool.script = undefined;
  pool.jsExists = false;
});

describe('validateUnitsInWorkers', () => {
  it('should start min(jobs, units) workers with the setup, hand out units two at a time, and give issues in unit order', async () => {
    const keys = new KeySet();
    keys.add('Patient/a');
    const entries = new KeySet();
    pool.script = answering((w) => (w.index === 0 ? 5 : 1)); // worker 0 is slow
    const o = options({ jobs: 3 });
    const result = await validateUnitsInWorkers(units(7), [keys, entries], o);
    expect(pool.workers).toHaveLength(3);
    for (const w of pool.workers) {
      expect(w.url.href).toMatch(/\/src\/validate\/validate-worker\.ts$/);
      expect(w.options.execArgv).toEqual(['--import', new URL('../../src/output/ts-worker-register.mjs', import.meta.url).href]);
      expect(w.options.resourceLimits).toEqual({ maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 });
      expect(w.base).toBe('BASE DEFINITIONS');
      expect(w.options.workerData).toMatchObject({ igs: ['a@1'], packagesDir: '/pk', coverage: ['ig@1'], base: '' });
      expect(w.options.workerData.keys).toBe(keys.buffer);
      expect(w.options.workerData.entryKeys).toBe(entries.buffer);
      expect(w.maxInFlight).toBe(2);
      expect(w.sent.at(-1)).toBe('finish');
      expect(w.sent.filter((m: unknown) => m === 'finish')).toHaveLength(1);
      expect(w.terminated).toBe(1);
    }
    // Each unit handed out once, with its own index.
    const handed = pool.workers.flatMap((w) => w.sent.filter((m: unknown) => m !== 'finish'));
    expect(handed.map((m: any) => m.index).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const m of handed) expect(m.unit).toEqual(units(7)[m.index]);
    // The fast workers took more than the slow one.
    expect(pool.workers[0].sent.length).toBeLessThan(pool.workers[1].sent.length);
    expect(result.issues).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => ({ id: `u${i}` })));
    expect(o.told.sort()).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(result.coverage).toEqual([[{ claims: [0], filled: [] }], [{ claims: [1], filled: [] }], [{ claims: [2], filled: [] }]]);
    // The first worker's reason for an invariant all skipped; each worker's own.
    expect([...result.skippedInvariants]).toEqual([['shared', 'from 0'], ['own-0', 'x'], ['own-1', 'x'], ['own-2', 'x']]);
  });

  it('should start one worker for one unit, or for no unit, whatever the jobs', async () => {
    pool.script = answering(() => 1);
    expect((await validateUnitsInWorkers(units(1), [new KeySet(), new KeySet()], options({ jobs: 4 }))).issues).toEqual([{ id: 'u0' }]);
    expect(pool.workers).toHaveLength(1);
    pool.workers = [];
    const none = await validateUnitsInWorkers([], [new KeySet(), new KeySet()], options({ jobs: 4 }));
    expect(pool.workers).toHaveLength(1);
    expect(pool.workers[0].sent).toEqual(['finish']);
    expect(none.issues).toEqual([]);
    pool.workers = [];
    await validateUnitsInWorkers(units(3), [new KeySet(), new KeySet()], options({ jobs: 0 }));
    expect(pool.workers).toHaveLength(1);
    expect(pool.workers[0].sent).toHaveLength(4);
  });

  it('should start the built worker from dist/ when it is there', async () => {
    pool.jsExists = true;
    pool.script = answering(() => 1);
    await validateUnitsInWorkers(units(1), [new KeySet(), new KeySet()], options());
    expect(pool.workers[0].url.href).toMatch(/\/src\/validate\/validate-worker\.js$/);
    expect(pool.workers[0].options.execArgv).toEqual([]);
  });

  it('should rethrow a UserError of a worker as a UserError, anything else with its stack, and stop every worker', async () => {
    pool.script = (w, m) => later(() => (m !== 'finish' && w.index === 1 ? w.answer({ error: { name: 'UserError', message: 'x.ndjson: cannot read (EACCES)' } }) : undefined));
    const user = validateUnitsInWorkers(units(4), [new KeySet(), new KeySet()], options());
    await expect(user).rejects.toThrow(new UserError('x.ndjson: cannot read (EACCES)'));
    await expect(user).rejects.toBeInstanceOf(UserError);
    expect(pool.workers.map((w) => w.terminated)).toEqual([1, 1]);
    pool.workers = [];
    pool.script = (w, m) => later(() => (m !== 'finish' ? w.answer({ error: { name: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at check' } }) : undefined));
    const bug = await validateUnitsInWorkers(units(2), [new KeySet(), new KeySet()], options()).catch((e: unknown) => e);
    expect(bug).not.toBeInstanceOf(UserError);
    expect(bug).toMatchObject({ message: 'boom', stack: 'TypeError: boom\n    at check' });
  });

  it('should name a worker that fails outside a unit, or stops before it finished', async () => {
    // Two units in flight per worker: with four units, worker 1 gets two.
    pool.script = (w) => later(() => (w.index === 1 ? w.emit('error', Object.assign(new Error('out of memory'), { stack: 'RangeError: out of memory' })) : undefined));
    const failed = (await validateUnitsInWorkers(units(4), [new KeySet(), new KeySet()], options()).catch((e: Error) => e)) as Error;
    expect(failed.message).toBe('validate worker 1 failed: out of memory');
    expect(failed.stack).toContain('RangeError: out of memory');
    expect(pool.workers.map((w) => w.terminated)).toEqual([1, 1]);
    pool.workers = [];
    pool.script = (w) => later(() => w.emit('exit', 3));
    await expect(validateUnitsInWorkers(units(2), [new KeySet(), new KeySet()], options())).rejects.toThrow('validate worker 0 stopped (exit code 3) before it finished');
    // An exit after the worker finished changes nothing.
    pool.workers = [];
    pool.script = (w, m) => {
      answering(() => 1)(w, m);
      if (m === 'finish') later(() => w.emit('exit', 0), 3);
    };
    await expect(validateUnitsInWorkers(units(2), [new KeySet(), new KeySet()], options())).resolves.toMatchObject({ issues: [{ id: 'u0' }, { id: 'u1' }] });
  });
});

describe('heapFor', () => {
  it('should add ten times the largest JSON file to the base limit, in MiB rounded up, and nothing for NDJSON', () => {
    const dir = join(temp.dir, 'heap');
    mkdirSync(dir);
    const json = (name: string, bytes: number) => {
      writeFileSync(join(dir, name), Buffer.alloc(bytes, 32));
      return { file: join(dir, name), start: { ordinal: 0, byte: 0, line: 1 }, end: 1, duplicates: [] };
    };
    expect(heapFor([])).toBe(256);
    expect(heapFor(units(3))).toBe(256);
    expect(heapFor([json('a.json', 300_000), json('b.json', 100_000), ...units(1)])).toBe(259);
    expect(heapFor([json('c.json', 104_857)])).toBe(257); // 0.99999 MiB × 10
    expect(heapFor([json('e.json', 104_858)])).toBe(258); // 1.000004 MiB × 10
    expect(heapFor([json('d.json', 0)])).toBe(256);
  });
});

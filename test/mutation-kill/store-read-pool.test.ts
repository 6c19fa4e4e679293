// The SQLite store's read pool (src/serve/store/read-pool.ts, issue 19) rule by rule, in process on a tiny store file:
// not ready at first, each answer to its own request, the work spread over the ready workers, a worker that stops
// failing only its own waiting requests, close, and how many workers $FHIRSEED_READ_WORKERS and the store's size ask
// for. Each worker indexes R4's definitions as it starts (1-3 s of CPU): two workers for the file, a few seconds in all.
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { indexR4Definitions } from '../../src/serve/router.js';
import { openStore } from '../../src/serve/store/open.js';
import { READ_WORKERS_FROM, ReadPool, readWorkerCount, readWorkersFromEnvironment, type ReadAnswer } from '../../src/serve/store/read-pool.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/output.js';

const decoder = new TextDecoder();
const body = <T>(answer: ReadAnswer) => JSON.parse(decoder.decode(answer.body)) as T;

describe('read workers asked for', () => {
  it('should read $FHIRSEED_READ_WORKERS as a whole number from 0 to 64, undefined when unset or empty', () => {
    expect(readWorkersFromEnvironment(undefined)).toBeUndefined();
    expect(readWorkersFromEnvironment('')).toBeUndefined();
    expect(readWorkersFromEnvironment('0')).toBe(0);
    expect(readWorkersFromEnvironment('64')).toBe(64);
    for (const bad of ['65', '-1', '1.5', 'two']) {
      expect(() => readWorkersFromEnvironment(bad)).toThrow(UserError);
      expect(() => readWorkersFromEnvironment(bad)).toThrow(`$FHIRSEED_READ_WORKERS=${bad}: expected a whole number from 0 to 64`);
    }
  });

  it('should start 2 workers from READ_WORKERS_FROM resources on, none below, and what was asked for whatever the size', () => {
    expect(READ_WORKERS_FROM).toBe(50_000);
    expect(readWorkerCount(READ_WORKERS_FROM - 1, undefined)).toBe(0);
    expect(readWorkerCount(READ_WORKERS_FROM, undefined)).toBe(2);
    expect(readWorkerCount(10, 3)).toBe(3);
    expect(readWorkerCount(READ_WORKERS_FROM * 2, 0)).toBe(0);
  });
});

describe('ReadPool', () => {
  let dir: { dir: string; cleanup: () => void };
  let file = '';
  let pool: ReadPool;
  /** The pool's workers, to count what each is sent and to stop one. */
  let workers: Worker[] = [];
  const sent = new Map<Worker, number>();

  beforeAll(async () => {
    indexR4Definitions();
    dir = tempDir('fhirseed-read-pool-');
    file = `${dir.dir}/store.sqlite`;
    const store = openStore(undefined, [], { file });
    await store.repo.withTransaction(async () => {
      for (let i = 0; i < 12; i++) await store.repo.preload({ resourceType: 'Patient', id: `p${i}`, gender: i % 2 ? 'male' : 'female' } as Patient);
    });
    store.markLoaded();
    store.close();
    pool = new ReadPool(file, [], 2);
    // Not ready until a worker says so: the caller serves the request itself meanwhile.
    expect(pool.ready).toBe(false);
    expect(pool.run({ kind: 'read', type: 'Patient', resourceId: 'p1' })).toBeUndefined();
    workers = (pool as unknown as { slots: { worker: Worker }[] }).slots.map((s) => s.worker);
    for (const w of workers) {
      const post = w.postMessage.bind(w);
      w.postMessage = (message: unknown, transfer?: never) => {
        sent.set(w, (sent.get(w) ?? 0) + 1);
        post(message, transfer);
      };
    }
  }, 120_000);
  afterAll(async () => {
    await pool?.close();
    dir?.cleanup();
  });

  it('should count its started workers and answer each request with its own answer', async () => {
    expect(await pool.started).toBe(2);
    expect(pool.ready).toBe(true);
    const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const answers = await Promise.all(ids.map((id) => pool.run({ kind: 'read', type: 'Patient', resourceId: id })!));
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));
    expect(answers.map((a) => body<Patient>(a).id)).toEqual(ids);
    expect(answers.every((a, i) => a.versionId === body<Patient>(answers[i]!).meta?.versionId && a.versionId)).toBe(true);
    expect(new Set(answers.map((a) => a.id)).size).toBe(12);
    const missing = await pool.run({ kind: 'read', type: 'Patient', resourceId: 'nobody' })!;
    expect(missing.status).toBe(404);
    expect(missing.body.length).toBe(0);
    const search = await pool.run({ kind: 'search', type: 'Patient', query: { gender: 'male', _count: '2' }, base: 'http://x/fhir' })!;
    expect(search.status).toBe(200);
    expect(body<Bundle>(search)).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 6 });
    expect(body<Bundle>(search).entry?.map((e) => e.resource?.id)).toEqual(['p1', 'p3']);
  });

  it('should send each request to the ready worker with the fewest waiting', async () => {
    sent.clear();
    await Promise.all(Array.from({ length: 10 }, (_, i) => pool.run({ kind: 'read', type: 'Patient', resourceId: `p${i}` })!));
    expect(workers.map((w) => sent.get(w) ?? 0)).toEqual([5, 5]);
  });

  it('should fail only the requests waiting on a worker that stops, and go on with the other one', async () => {
    sent.clear();
    const waiting = [0, 1, 2, 3].map((i) => pool.run({ kind: 'read', type: 'Patient', resourceId: `p${i}` })!);
    // The first worker took requests 0 and 2. Its exit as the pool sees it (emitted here: a real one races its answers).
    workers[0]!.emit('exit', 3);
    const settled = await Promise.allSettled(waiting);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseRejectedResult).reason.message).toBe('a read worker stopped (exit code 3)');
    expect(pool.ready).toBe(true);
    sent.clear();
    const after = await Promise.all([4, 5, 6].map((i) => pool.run({ kind: 'read', type: 'Patient', resourceId: `p${i}` })!));
    expect(after.map((a) => body<Patient>(a).id)).toEqual(['p4', 'p5', 'p6']);
    expect(workers.map((w) => sent.get(w) ?? 0)).toEqual([0, 3]);
    await workers[0]!.terminate();
  });

  it('should close its workers once, the stopped one left alone, and answer nothing after', async () => {
    const exited = new Promise((resolve) => workers[1]!.once('exit', resolve));
    await pool.close();
    await exited;
    expect(pool.run({ kind: 'read', type: 'Patient', resourceId: 'p1' })).toBeUndefined();
    await pool.close();
  });
});

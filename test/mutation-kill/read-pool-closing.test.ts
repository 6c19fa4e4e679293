// The SQLite store's read pool while it closes (src/serve/store/read-pool.ts, issue 19: the three mutants of its `closed`
// flag lived): a request sent once close() has begun is left to the caller (run answers undefined, the server thread
// serves it), never posted to a worker that is stopping, where it would wait for an answer that cannot come; a request
// sent before close() is still answered; a second close() while the first runs sends nothing more. Two workers on a
// tiny store file, a few seconds.
import type { Patient } from '@medplum/fhirtypes';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexR4Definitions } from '../../src/serve/router.js';
import { openStore } from '../../src/serve/store/open.js';
import { ReadPool, type ReadAnswer } from '../../src/serve/store/read-pool.js';
import { tempDir } from '../helpers/output.js';

const decoder = new TextDecoder();
const body = <T>(answer: ReadAnswer) => JSON.parse(decoder.decode(answer.body)) as T;

describe('ReadPool while closing', () => {
  let dir: { dir: string; cleanup: () => void };
  let pool: ReadPool | undefined;

  beforeAll(async () => {
    indexR4Definitions();
    dir = tempDir('fhirseed-read-pool-closing-');
    const file = `${dir.dir}/store.sqlite`;
    const store = openStore(undefined, [], { file });
    await store.repo.withTransaction(async () => {
      for (let i = 0; i < 4; i++) await store.repo.preload({ resourceType: 'Patient', id: `p${i}`, gender: 'female' } as Patient);
    });
    store.markLoaded();
    store.close();
    pool = new ReadPool(file, [], 2);
  }, 120_000);
  afterAll(async () => {
    await pool?.close();
    dir?.cleanup();
  });

  it('should leave a request sent during close() to the caller, answer one sent before, and send each worker one close', async () => {
    const readPool = pool!;
    expect(await readPool.started).toBe(2);
    const workers = (readPool as unknown as { slots: { worker: Worker }[] }).slots.map((s) => s.worker);
    const closes = new Map<Worker, number>();
    for (const w of workers) {
      const post = w.postMessage.bind(w);
      w.postMessage = (message: unknown, transfer?: never) => {
        if ((message as { kind?: string }).kind === 'close') closes.set(w, (closes.get(w) ?? 0) + 1);
        post(message, transfer);
      };
    }
    const exits = workers.map((w) => new Promise<number>((resolve) => w.once('exit', resolve)));

    const before = [0, 1].map((i) => readPool.run({ kind: 'read', type: 'Patient', resourceId: `p${i}` })!);
    const closing = readPool.close();
    // close() has begun (its messages are posted synchronously) and the workers have not exited yet.
    expect([...closes.values()]).toEqual([1, 1]);
    expect(readPool.ready).toBe(true);
    expect(readPool.run({ kind: 'read', type: 'Patient', resourceId: 'p2' })).toBeUndefined();
    expect(readPool.run({ kind: 'search', type: 'Patient', query: {}, base: 'http://x/fhir' })).toBeUndefined();
    const again = readPool.close();
    expect(workers.map((w) => closes.get(w))).toEqual([1, 1]);

    // Sent before close(): answered, as the worker reads its messages in order.
    const answered = await Promise.all(before);
    expect(answered.map((a) => [a.status, body<Patient>(a).id])).toEqual([
      [200, 'p0'],
      [200, 'p1'],
    ]);
    await Promise.all([closing, again]);
    // Each worker ended by its own close (exit code 0), not by the terminate after CLOSE_WAIT (exit code 1).
    expect(await Promise.all(exits)).toEqual([0, 0]);
    expect(readPool.ready).toBe(false);
    expect(readPool.run({ kind: 'read', type: 'Patient', resourceId: 'p3' })).toBeUndefined();
    expect(workers.map((w) => closes.get(w))).toEqual([1, 1]);
  }, 60_000);
});

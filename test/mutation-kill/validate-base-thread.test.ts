import { afterEach, describe, expect, it, vi } from 'vitest';
import { baseDefinitionsLoaded, baseDefinitionsText, buildDefinitions } from '../../src/validate/definitions.js';
import { baseTextInThread } from '../../src/validate/workers.js';

/**
 * The thread that makes the R4 base text for validate's workers (issue 19, mutation testing of workers.ts'
 * `baseTextInThread` and definitions.ts' `baseDefinitionsLoaded`). `node:worker_threads`' Worker is the real one,
 * counted; in the failure cases the base worker's script is swapped for one that throws or exits before answering,
 * which only an environment fault (a broken install, the thread killed) does to the real one.
 */
const threads = vi.hoisted(() => ({ started: [] as { url: string; execArgv: string[] }[], swap: undefined as string | undefined }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class CountedWorker extends real.Worker {
    constructor(url: URL | string, options: { execArgv?: string[] } = {}) {
      threads.started.push({ url: String(url), execArgv: options.execArgv ?? [] });
      if (threads.swap) super(threads.swap, { eval: true });
      else super(url, options);
    }
  }
  return { ...real, Worker: CountedWorker, default: { ...real, Worker: CountedWorker } };
});

afterEach(() => {
  threads.started.length = 0;
  threads.swap = undefined;
});

describe('baseTextInThread: the R4 base text made in a thread of its own', () => {
  it('should reject naming the base worker and its error when the worker throws', async () => {
    threads.swap = 'throw new Error("cannot read profiles-types.json")';
    await expect(baseTextInThread()).rejects.toThrow(/^validate base-definitions worker failed: cannot read profiles-types\.json$/);
    expect(threads.started).toHaveLength(1);
    expect(baseDefinitionsLoaded()).toBe(false);
  });

  it('should reject naming the base worker and its exit code when the worker stops before answering', async () => {
    threads.swap = 'process.exit(3)';
    await expect(baseTextInThread()).rejects.toThrow(/^validate base-definitions worker stopped \(exit code 3\) before it answered$/);
    expect(threads.started).toHaveLength(1);
  }, 20_000);

  it("should answer the base worker's text, made from base-worker beside workers.ts, without loading the base here", async () => {
    const text = await baseTextInThread();
    expect(threads.started).toHaveLength(1);
    expect(threads.started[0]!.url).toMatch(/\/src\/validate\/base-worker\.(ts|js)$/);
    const definitions = JSON.parse(text) as { resourceType: string; id?: string }[];
    expect(definitions.some((r) => r.resourceType === 'StructureDefinition' && r.id === 'Patient')).toBe(true);
    expect(baseDefinitionsLoaded()).toBe(false);
  }, 120_000);

  it('should start no thread once this thread has the base definitions, answering its own text', async () => {
    buildDefinitions([]);
    expect(baseDefinitionsLoaded()).toBe(true);
    const text = await baseTextInThread();
    expect(threads.started).toEqual([]);
    expect(text).toBe(baseDefinitionsText());
  }, 120_000);
});

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { KeySet } from '../../src/validate/key-set.js';

/**
 * The validate worker thread's message loop (issue 19, mutation testing of src/validate/validate-worker.ts),
 * loaded in this thread with `node:worker_threads`' workerData and parentPort stood in (vi.mock) and the
 * validator, the unit validation and the coverage index replaced by recorders: what it loads, what it answers
 * to a unit and to `finish`, and how it reports an error (a UserError by name, so the main thread can tell it).
 */

const thread = vi.hoisted(() => ({ posted: [] as any[], port: undefined as any, data: undefined as any, failLoad: undefined as Error | undefined, log: [] as string[], options: undefined as unknown }));
vi.mock('node:worker_threads', async () => {
  const { EventEmitter } = await import('node:events');
  const port = Object.assign(new EventEmitter(), { postMessage: (m: unknown) => thread.posted.push(m) });
  thread.port = port;
  return {
    parentPort: port,
    get workerData() {
      return thread.data;
    },
  };
});
vi.mock('../../src/validate/definitions.js', () => ({ adoptBaseDefinitions: (text: string) => thread.log.push(`adopt ${text}`) }));
vi.mock('../../src/validate/validator.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/validate/validator.js')>()),
  createValidator: async (options: unknown) => {
    thread.log.push('validator');
    thread.options = options;
    if (thread.failLoad) throw thread.failLoad;
    return {
      packages: [{ name: 'ig-a', version: '1' }, { name: 'ig-b', version: '2' }, { name: 'ig-c', version: '3' }],
      skippedInvariants: new Map([['inv', 'threw']]),
    };
  },
}));
vi.mock('../../src/validate/coverage.js', () => ({
  CoverageIndex: class {
    constructor(readonly p: { name: string }) {}
    state() {
      return { claims: [this.p.name], filled: [] };
    }
  },
}));
vi.mock('../../src/validate/stream.js', () => ({
  validateUnit: (unit: { file: string }, validator: unknown, keys: KeySet[], coverage: { p: { name: string } }[], issues: unknown[]) => {
    if (unit.file === 'bad') throw Object.assign(new Error('bad: cannot read (EACCES)'), { name: 'UserError' });
    issues.push({ id: `${unit.file} ${keys[0]!.has('Patient/a')} ${keys[1]!.has('Patient/e')} ${coverage.map((c) => c.p.name).join(',')} ${typeof validator}` });
    return 7;
  },
}));

beforeEach(() => {
  vi.resetModules();
  thread.posted = [];
  thread.log = [];
  thread.failLoad = undefined;
  thread.port?.removeAllListeners();
  const keys = new KeySet();
  keys.add('Patient/a');
  const entries = new KeySet();
  entries.add('Patient/e');
  thread.data = { igs: ['x@1'], packagesDir: '/pk', coverage: ['ig-a@1', 'ig-c@3', 'ig-b@9'], keys: keys.buffer, entryKeys: entries.buffer, base: 'BASE' };
});

/** Loads the worker module afresh (its top level is the worker's start). */
const start = () => import('../../src/validate/validate-worker.js');

describe('validate worker thread', () => {
  it('should load the base definitions and the validator as told, validate units against the shared keys, and answer finish with coverage and skipped invariants', async () => {
    await start();
    expect(thread.log).toEqual(['adopt BASE', 'validator']);
    expect(thread.options).toMatchObject({ igs: ['x@1'], packagesDir: '/pk' });
    thread.port.emit('message', { index: 4, unit: { file: 'u.ndjson' } });
    thread.port.emit('message', 'finish');
    expect(thread.posted).toEqual([
      { unit: 4, issues: [{ id: 'u.ndjson true true ig-a,ig-c object' }], resources: 7 },
      { coverage: [{ claims: ['ig-a'], filled: [] }, { claims: ['ig-c'], filled: [] }], skippedInvariants: [['inv', 'threw']] },
    ]);
  });

  it('should answer an error in a unit by name, message and stack, and go on', async () => {
    await start();
    thread.port.emit('message', { index: 0, unit: { file: 'bad' } });
    thread.port.emit('message', { index: 1, unit: { file: 'u.ndjson' } });
    expect(thread.posted[0].error).toMatchObject({ name: 'UserError', message: 'bad: cannot read (EACCES)' });
    expect(thread.posted[0].error.stack).toContain('bad: cannot read (EACCES)');
    expect(thread.posted[1]).toMatchObject({ unit: 1, resources: 7 });
  });

  it('should answer a failure to load as an error, and take no message', async () => {
    thread.failLoad = Object.assign(new Error('carin-bb@2.0.0: not found'), { name: 'UserError' });
    await start();
    expect(thread.posted).toEqual([{ error: { name: 'UserError', message: 'carin-bb@2.0.0: not found', stack: thread.failLoad.stack } }]);
    expect(thread.port.listenerCount('message')).toBe(0);
  });
});

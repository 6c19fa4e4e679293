import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../src/seed/checkpoint.js';
import type { SeedSource } from '../../src/seed/source.js';
import { tempDir } from '../helpers/output.js';

/**
 * The seed checkpoint against a plain set model (issue 19: mutants of src/seed/checkpoint.ts): whatever order
 * member files are acknowledged in, `isDone` is exactly "was acknowledged", before and after a reload, and a
 * checkpoint of another server, output or version is refused with its reason.
 */
const temp = tempDir('fhirseed-k-checkpoint-');
afterAll(() => temp.cleanup());

const SERVER = 'http://localhost:1';
const source = (n: number, runId = 'r1', directoryFile: string | null = 'bundles/directory.json', first = 0): SeedSource => ({
  dir: '/x', runId, expected: {}, ...(directoryFile ? { directoryFile } : {}),
  memberFiles: Array.from({ length: n }, (_, i) => `bundles/member-${String(first + i).padStart(6, '0')}.json`),
});

let file = 0;
const fresh = () => join(temp.dir, `checkpoint-${file++}.json`);

describe('Checkpoint against a set model', () => {
  it('should say done for exactly the acknowledged files, in any order and batching, across reloads', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 4 }), { maxLength: 10 }), fc.integer({ min: 0, max: 10 })),
        ),
        ([n, batches, reloadAt]) => {
          const path = fresh();
          const s = source(n);
          let c = Checkpoint.start(path, SERVER, s);
          const model = new Set<number>();
          batches.forEach((batch, k) => {
            // Files the source does not list are ignored.
            c.markDone([...batch.map((i) => s.memberFiles[i]!), 'bundles/member-999999.json']);
            for (const i of batch) model.add(i);
            if (k === reloadAt) c = Checkpoint.resume(path, SERVER, s);
            expect(s.memberFiles.map((f) => c.isDone(f))).toEqual(s.memberFiles.map((_, i) => model.has(i)));
          });
          const saved = JSON.parse(readFileSync(path, 'utf8')) as { doneBelow: number; doneAbove: number[] };
          let below = 0;
          while (model.has(below)) below++;
          expect(saved.doneBelow).toBe(below);
          expect(saved.doneAbove).toEqual([...model].filter((i) => i > below).sort((a, b) => a - b));
          const reloaded = Checkpoint.resume(path, SERVER, s);
          expect(s.memberFiles.map((f) => reloaded.isDone(f))).toEqual(s.memberFiles.map((_, i) => model.has(i)));
          expect(reloaded.isDone('bundles/member-999999.json')).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('should save on start, and keep directoryDone and finished across a reload', () => {
    const path = fresh();
    const s = source(2);
    const c = Checkpoint.start(path, SERVER, s);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 1, server: SERVER, runId: 'r1', fingerprint: '2:bundles/member-000000.json:bundles/member-000001.json:dir',
      directoryDone: false, doneBelow: 0, doneAbove: [], finished: false,
    });
    expect([c.directoryDone, c.finished]).toEqual([false, false]);
    c.markDirectoryDone();
    expect(Checkpoint.resume(path, SERVER, s).finished).toBe(false);
    c.markFinished();
    const again = Checkpoint.resume(path, SERVER, s);
    expect([again.directoryDone, again.finished]).toEqual([true, true]);
    // start begins afresh even where a checkpoint is.
    const restarted = Checkpoint.start(path, SERVER, s);
    expect([restarted.directoryDone, restarted.finished]).toEqual([false, false]);
    expect(Checkpoint.resume(path, SERVER, s).directoryDone).toBe(false);
  });

  it('should refuse a checkpoint of another server, run, output or version, saying which', () => {
    const path = fresh();
    Checkpoint.start(path, SERVER, source(3));
    const other = `checkpoint ${path} is for another output (run r1); seed without --resume`;
    expect(() => Checkpoint.resume(path, 'http://localhost:2', source(3))).toThrow(`checkpoint ${path} is for ${SERVER}, not http://localhost:2; seed without --resume`);
    expect(() => Checkpoint.resume(path, SERVER, source(3, 'r2'))).toThrow(other);
    expect(() => Checkpoint.resume(path, SERVER, source(4))).toThrow(other);
    expect(() => Checkpoint.resume(path, SERVER, source(3, 'r1', null))).toThrow(other);
    expect(() => Checkpoint.resume(path, SERVER, source(3, 'r1', 'bundles/directory.json', 1))).toThrow(other);
    const lastDiffers = source(3);
    lastDiffers.memberFiles[2] = 'bundles/member-000009.json';
    expect(() => Checkpoint.resume(path, SERVER, lastDiffers)).toThrow(other);
    expect(() => Checkpoint.resume(path, SERVER, source(3))).not.toThrow();

    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), version: 2 }));
    expect(() => Checkpoint.resume(path, SERVER, source(3))).toThrow(`checkpoint ${path} is from another fhirseed version; seed without --resume`);
    writeFileSync(path, '{"version": 1,');
    expect(() => Checkpoint.resume(path, SERVER, source(3))).toThrow(`checkpoint ${path} is unreadable; remove it and seed without --resume`);
  });

  it('should fingerprint an output without members or directory', () => {
    const path = fresh();
    Checkpoint.start(path, SERVER, source(0, 'r1', null));
    expect(JSON.parse(readFileSync(path, 'utf8')).fingerprint).toBe('0:::nodir');
  });
});

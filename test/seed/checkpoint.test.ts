import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../src/seed/checkpoint.js';
import type { SeedSource } from '../../src/seed/source.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from './helpers/temp.js';

const source = (n: number, runId = 'r1'): SeedSource => ({
  dir: '/x', runId, expected: {}, directoryFile: 'bundles/directory.json',
  memberFiles: Array.from({ length: n }, (_, i) => `bundles/member-${String(i).padStart(6, '0')}.json`),
});

describe('Checkpoint', () => {
  const temp = tempDir();
  afterEach(() => temp.reset());
  afterAll(() => temp.remove());

  it('should remember out-of-order completions across a reload and compact the finished prefix', () => {
    const path = join(temp.dir, 'checkpoint.json');
    const s = source(6);
    const c = Checkpoint.start(path, 'http://localhost:1', s);
    c.markDirectoryDone();
    c.markDone([s.memberFiles[2]!, s.memberFiles[0]!]);
    c.markDone([s.memberFiles[1]!]);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { doneBelow: number; doneAbove: number[] };
    expect(saved).toMatchObject({ doneBelow: 3, doneAbove: [] });
    c.markDone([s.memberFiles[4]!]);
    const again = Checkpoint.resume(path, 'http://localhost:1', s);
    expect(again.directoryDone).toBe(true);
    expect(s.memberFiles.map((f) => again.isDone(f))).toEqual([true, true, true, false, true, false]);
  });

  it('should refuse to resume against another server or another output', () => {
    const path = join(temp.dir, 'checkpoint.json');
    Checkpoint.start(path, 'http://localhost:1', source(3));
    expect(() => Checkpoint.resume(path, 'http://localhost:2', source(3))).toThrow(UserError);
    expect(() => Checkpoint.resume(path, 'http://localhost:1', source(4))).toThrow(/another output/);
    expect(() => Checkpoint.resume(path, 'http://localhost:1', source(3, 'r2'))).toThrow(/another output/);
  });

  it('should start afresh when there is no checkpoint to resume', () => {
    const c = Checkpoint.resume(join(temp.dir, 'none.json'), 'http://localhost:1', source(2));
    expect(c.directoryDone).toBe(false);
    expect(c.isDone('bundles/member-000000.json')).toBe(false);
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputState } from '../../src/output/complete.js';
import { tempDir } from '../helpers/output.js';

// What `start` sees in --out before deciding to generate: the browser tests save screenshots under output/, so after
// `npm test` a fresh clone's output/ holds output/screenshots only — no population, not an incomplete one.
describe('outputState', () => {
  const temp = tempDir('fhirseed-output-state-');
  afterAll(() => temp.cleanup());

  it('should call a directory holding only what regenerating keeps empty, and one with a population file incomplete', () => {
    const dir = join(temp.dir, 'kept-only');
    expect(outputState(dir).kind).toBe('missing');
    mkdirSync(join(dir, 'screenshots'), { recursive: true });
    mkdirSync(join(dir, 'seed-state'));
    writeFileSync(join(dir, 'screenshots', 'report.png'), '');
    expect(outputState(dir).kind).toBe('empty');
    mkdirSync(join(dir, 'bundles'));
    expect(outputState(dir)).toEqual({ kind: 'incomplete', reason: 'no manifest.json' });
    writeFileSync(join(dir, 'notes.txt'), '');
    expect(outputState(dir)).toEqual({ kind: 'foreign', files: ['notes.txt'] });
  });
});

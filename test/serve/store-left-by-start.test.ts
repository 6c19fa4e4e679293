// storeLeftByStart: what `serve`'s line for a second Ctrl-C while it starts says of the SQLite store, read from what is
// on disk at that moment (test/serve/store-interrupt.test.ts ends a real start so, mid-load).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeLeftByStart } from '../../src/serve/store/engine.js';
import { tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-store-left-');
afterAll(() => temp.cleanup());

const file = join(temp.dir, 'store.sqlite');
const scratch = `${file}.building`;
const build = { file, reused: false, scratch, replaced: undefined, kept: undefined };

function onDisk(...files: string[]): void {
  for (const f of [file, scratch]) rmSync(f, { force: true });
  for (const f of files) writeFileSync(f, '');
}

describe('storeLeftByStart', () => {
  it('should say nothing of a store not opened yet (any earlier store untouched)', () => {
    expect(storeLeftByStart(undefined)).toBe('');
  });

  it('should say a reused store is kept', () => {
    onDisk(file);
    expect(storeLeftByStart({ ...build, reused: true, scratch: undefined })).toBe(`; the store ${file} kept`);
  });

  it('should say a build under way is left for the next start, and what became of the store it replaced', () => {
    onDisk(scratch);
    expect(storeLeftByStart(build)).toBe(`; the unfinished store ${scratch} is left (the next start removes it)`);
    expect(storeLeftByStart({ ...build, replaced: 'the served files changed' })).toBe(
      `; the unfinished store ${scratch} is left (the next start removes it); what apps wrote to the old store is gone (the served files changed)`,
    );
    expect(storeLeftByStart({ ...build, replaced: 'store schema 6 → 7', kept: `${file}.schema-6` })).toBe(
      `; the unfinished store ${scratch} is left (the next start removes it); the old store is kept as ${file}.schema-6`,
    );
  });

  it('should say a finished build is kept for the next start', () => {
    onDisk(file);
    expect(storeLeftByStart(build)).toBe(`; the store ${file} built and kept (the next start reuses it)`);
  });

  it('should say a build whose clean-up ran is removed', () => {
    onDisk();
    expect(storeLeftByStart(build)).toBe(`; the unfinished store ${scratch} removed`);
  });
});

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory per test file, emptied by reset() and removed by remove(). */
export function tempDir(prefix = 'fhirseed-seed-'): { readonly dir: string; reset: () => void; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    reset: () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// generate --jobs N's worker threads inherit the CLI's node options (src/output/workers.ts): with an explicit empty
// execArgv they did not, so `node --cpu-prof bin.js generate --jobs 2` profiled the main thread alone and the
// workers' share of the time (issue 13: "profile both the main thread and the workers") could not be seen.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('generate --jobs 2 under node --cpu-prof', () => {
  it('should write a profile for the main thread and one for the worker thread', () => {
    const bin = join(ROOT, 'dist/src/cli/bin.js');
    if (!existsSync(bin)) throw new Error('dist/src/cli/bin.js is missing: run npm run build before these tests');
    const dir = mkdtempSync(join(tmpdir(), 'fhirseed-worker-profiles-'));
    try {
      const profiles = join(dir, 'profiles');
      const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, bin, 'generate', '--members', '4', '--jobs', '2', '--format', 'ndjson', '--out', join(dir, 'out'), '--yes'], { encoding: 'utf8', timeout: 110_000 });
      expect(r.status, r.stderr).toBe(0);
      // node names a profile CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile: thread 0 is the main thread.
      const threads = readdirSync(profiles).filter((f) => f.endsWith('.cpuprofile')).map((f) => Number(f.split('.').at(-3))).sort();
      expect(threads).toEqual([0, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

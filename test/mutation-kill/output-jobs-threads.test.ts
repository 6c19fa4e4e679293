import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAsync } from '../../src/output/generate.js';
import { codeMaps, shippedProfile, tempDir } from '../helpers/output.js';

/**
 * generateAsync's `jobs` (issue 19, mutation testing of src/output/generate.ts: `options.jobs ?? 1` → `&& 1` left
 * `--jobs 2` building every member on this thread, the same bytes, so no byte comparison saw it). Worker threads'
 * ids count up per process, so the ids of two probe threads started before and after a run tell how many threads
 * the run started.
 */
const temp = tempDir('fhirseed-jobs-threads-');
afterAll(() => temp.cleanup());

async function nextThreadId(): Promise<number> {
  const probe = new Worker('', { eval: true });
  const id = probe.threadId;
  await new Promise((resolve) => probe.once('exit', resolve));
  return id;
}

describe('generateAsync --jobs', () => {
  it('should start worker threads for --jobs 2, and none for one job', async () => {
    const options = { profile: { ...shippedProfile('default'), members: 3 }, codeMaps, igs: ['pdex' as const] };
    const before = await nextThreadId();
    await generateAsync({ ...options, out: join(temp.dir, 'one') });
    const between = await nextThreadId();
    await generateAsync({ ...options, out: join(temp.dir, 'two'), jobs: 2 });
    const after = await nextThreadId();
    expect(between - before).toBe(1); // the probe alone
    expect(after - between).toBeGreaterThan(1); // member worker threads, then the probe
  }, 180_000);
});

// Worker threads started from the TypeScript sources load src/ through src/output/ts-worker-hooks.mjs (transpiled
// once, then cached): a few seconds for the first worker on a busy machine, so the runs here are few and small.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, generateAsync } from '../../src/output/generate.js';
import type { Profile } from '../../src/profile/types.js';
import { codeMaps, readTree, shippedProfile, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
const newDir = () => {
  const t = tempDir('fhirseed-jobs-');
  temps.push(t.cleanup);
  return t.dir;
};
afterAll(() => temps.forEach((c) => c()));

/** Every file of `b` has the bytes of the same file in `a`, and neither has a file the other lacks. */
function expectSameTree(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [file, bytes] of a) expect(b.get(file)!.equals(bytes), file).toBe(true);
}

describe('generate --jobs', () => {
  let profile: Profile;
  // Small bundles so that members are split across files too.
  const options = { maxBundleEntries: 60, formats: ['bundles', 'ndjson'] as const };
  let reference: Map<string, Buffer>;

  beforeAll(async () => {
    profile = { ...shippedProfile('default'), members: 9 };
    const dir = newDir();
    await generateAsync({ profile, out: dir, codeMaps, ...options, formats: [...options.formats], jobs: 1 });
    reference = readTree(dir);
  });

  it('should write the same bytes in every file, manifest included, with 2 and 3 worker threads as with one job', async () => {
    expect([...reference.keys()].some((f) => /^bundles\/member-\d+-2\.json$/.test(f))).toBe(true);
    expect(reference.has('manifest.json')).toBe(true);
    for (const jobs of [2, 3]) {
      const dir = newDir();
      await generateAsync({ profile, out: dir, codeMaps, ...options, formats: [...options.formats], jobs });
      expectSameTree(reference, readTree(dir));
    }
  });

  it('should write the same bytes with workers as the synchronous generate, for a shard and one format', async () => {
    const shard = { index: 2, count: 2 };
    const sync = newDir();
    generate({ profile, out: sync, codeMaps, shard, formats: ['ndjson'] });
    const workers = newDir();
    await generateAsync({ profile, out: workers, codeMaps, shard, formats: ['ndjson'], jobs: 2 });
    expectSameTree(readTree(sync), readTree(workers));
  });
});

import { describe, expect, it } from 'vitest';
import { seed } from '../../src/seed/seed.js';
import { startServer } from '../../src/serve/index.js';
import { generateTo, shippedProfile } from '../helpers/output.js';
import { manifestCounts, testSeedOptions, uniqueRunId } from '../seed/helpers/data.js';
import { suiteServer, taggedCounts } from '../seed/helpers/server.js';

const suite = suiteServer();

describe('split bundles load whole', () => {
  it('should seed every resource of a population whose members and directory are split, and serve them all', async () => {
    const dir = `${suite.temp.dir}/split`;
    const runId = uniqueRunId('split');
    const manifest = generateTo(dir, { ...shippedProfile('default'), members: 4, seed: 8101 }, { runId, maxBundleEntries: 30 });
    expect(manifest.files.filter((f) => /-\d+\.json$/.test(f)).length).toBeGreaterThan(4);
    const expected = manifestCounts(dir);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    const seeded = await seed(testSeedOptions(suite.server().url, dir, { mode: 'transaction', bundleSize: 500 }));
    expect(seeded.deadLettered).toBe(0);
    expect(seeded.sent).toBe(total);
    expect(seeded.verify?.every((r) => r.ok)).toBe(true);
    expect(await taggedCounts(suite.server().url, runId, Object.keys(expected))).toEqual(expected);
    const served = await startServer({ port: 0, dir });
    try {
      expect(served.loadErrors).toEqual([]);
      expect(served.loadedResources).toBe(total);
    } finally {
      await served.close();
    }
  });
});

import { afterAll, expect, it } from 'vitest';
import { estimateBytes } from '../../src/output/estimate.js';
import { generateTo, readTree, shippedProfile, tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-estimate-');
afterAll(() => temp.cleanup());

// generate refuses a run larger than the free space from this estimate, so a small population must not be
// estimated at half its size: the directory (Plan-Net, the formulary's drugs) is written whatever the count.
it('should estimate a 2-member default run within a third of the bytes it writes', () => {
  generateTo(temp.dir, { ...shippedProfile('default'), members: 2 });
  const written = [...readTree(temp.dir).values()].reduce((sum, bytes) => sum + bytes.length, 0);
  const ratio = estimateBytes(2, ['bundles', 'ndjson']) / written;
  expect(ratio).toBeGreaterThan(0.75);
  expect(ratio).toBeLessThan(1.33);
});

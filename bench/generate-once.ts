import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCodeMaps } from '../src/codemaps/load.js';
import { generate } from '../src/output/generate.js';
import { loadProfile } from '../src/profile/load.js';
import { profileLoadOptions } from '../src/story/limits.js';
import { packageRoot } from '../src/util/paths.js';

/** One generation run in its own process, so that its peak memory is its own: prints JSON. */
const members = Number(process.argv[2] ?? '1000');
const codeMaps = loadCodeMaps();
const profile = loadProfile(join(packageRoot(), 'profiles', 'default.yaml'), profileLoadOptions(codeMaps));
const out = mkdtempSync(join(tmpdir(), 'fhirseed-bench-'));
const started = process.hrtime.bigint();
// Live heap after a full GC, at 10% and at 100% of the run: flat when generation streams.
const gc = (globalThis as { gc?: () => void }).gc;
const heapAt: Record<string, number> = {};
const manifest = generate({
  profile: { ...profile, members },
  out,
  codeMaps,
  onProgress: (done, total) => {
    if (gc && (done === Math.ceil(total / 10) || done === total)) {
      gc();
      heapAt[done === total ? 'heapAfterGcAtEndMiB' : 'heapAfterGcAt10PctMiB'] = process.memoryUsage().heapUsed / 1048576;
    }
  },
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
rmSync(out, { recursive: true, force: true });
const resources = Object.values(manifest.counts.byType).reduce((a, b) => a + b, 0);
process.stdout.write(
  `${JSON.stringify({ members, resources, seconds, membersPerSecond: members / seconds, resourcesPerSecond: resources / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, ...heapAt })}\n`,
);

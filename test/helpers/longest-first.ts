import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each test file took in a CI run (`.ci/run` on a 2-core machine), by path from the repository root. To
 * refresh it from a run's log:
 * `sed 's/\x1b\[[0-9;]*m//g' LOG | grep -oE '^ ✓ +(shared|isolated) +[^ ]+\.test\.ts \([^)]*\) [0-9]+m?s$'`, then the
 * last field in seconds. A stale table only orders the run less well; it changes no result.
 */
const CI_SECONDS = JSON.parse(readFileSync(new URL('./file-durations.json', import.meta.url), 'utf8')) as Record<string, number>;

/**
 * vitest's sequencer with the longest files first, in both projects together (longest-processing-time-first: the two
 * workers end close together instead of one running a 40 s file alone at the end). A file's time is its duration in
 * vitest's results cache when a run on this machine left one, else CI_SECONDS; a file in neither (a new one) counts as
 * the median. vitest's own order on a fresh clone, as on CI, is the isolated project first, then each project's
 * larger files first (file size, not time), so the 70 s and 50 s files could start last.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const known = Object.values(CI_SECONDS).sort((a, b) => a - b);
    const median = known[Math.floor(known.length / 2)] ?? 0;
    const seconds = new Map(
      files.map((spec) => {
        const path = relative(this.ctx.config.root, spec.moduleId).split('\\').join('/');
        const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration;
        return [spec, cached !== undefined ? cached / 1000 : (CI_SECONDS[path] ?? median)];
      }),
    );
    return [...files].sort((a, b) => seconds.get(b)! - seconds.get(a)! || a.moduleId.localeCompare(b.moduleId));
  }
}

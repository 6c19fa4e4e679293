import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { LongestFirstSequencer } from './longest-first.js';

const ROOT = '/repo';
const CI_SECONDS = JSON.parse(readFileSync(new URL('./file-durations.json', import.meta.url), 'utf8')) as Record<string, number>;

/** The sequencer on a made-up vitest: `cached` is the results cache (project:path → ms). */
function sequencer(cached: Record<string, number> = {}) {
  const ctx = { config: { root: ROOT }, cache: { getFileTestResults: (key: string) => (key in cached ? { duration: cached[key], failed: false } : undefined) } };
  return new LongestFirstSequencer(ctx as unknown as Vitest);
}
const spec = (path: string, project = 'shared') => ({ moduleId: join(ROOT, path), project: { name: project } }) as unknown as TestSpecification;
const order = (specs: TestSpecification[]) => specs.map((s) => s.moduleId.slice(ROOT.length + 1));

describe('LongestFirstSequencer', () => {
  const [longest, second] = Object.entries(CI_SECONDS).sort((a, b) => b[1] - a[1]).map(([path]) => path);
  const shortest = Object.entries(CI_SECONDS).sort((a, b) => a[1] - b[1])[0]![0];
  /** A file that took some time, less than the median. */
  const quick = Object.entries(CI_SECONDS).sort((a, b) => a[1] - b[1]).find(([, s]) => s > 0)![0];

  it('should put the files CI took longest on first, across both projects', async () => {
    const sorted = await sequencer().sort([spec(shortest), spec(second!, 'isolated'), spec(longest!)]);
    expect(order(sorted)).toEqual([longest, second, shortest]);
  });

  it('should go by the results cache of a run on this machine where it has the file', async () => {
    const sorted = await sequencer({ [`shared:${shortest}`]: 1_000_000 }).sort([spec(longest!), spec(shortest)]);
    expect(order(sorted)).toEqual([shortest, longest]);
  });

  it('should count a file in neither as the median of the table', async () => {
    const sorted = await sequencer().sort([spec(quick), spec('test/new-file.test.ts'), spec(longest!)]);
    expect(order(sorted)).toEqual([longest, 'test/new-file.test.ts', quick]);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The bench's generate rows measured generateAsync inside the bench's own process, not the command users run
 * (issue 13: "the bench must run what users run"): start-up, the CLI's modules and its memory were not the
 * command's. One 3-member run of the built bench (about 2 s).
 */
describe('npm run bench: a generate row', () => {
  it('should time and measure `fhirseed generate` as users start it (dist/src/cli/bin.js), in a process of its own', () => {
    const source = readFileSync(join(ROOT, 'bench/generate-once.ts'), 'utf8');
    expect(source).not.toMatch(/from '\.\.\/src\/output\//);
    expect(source).toMatch(/'dist', 'src', 'cli', 'bin\.js'/);
    if (!existsSync(join(ROOT, 'dist/bench/generate-once.js'))) throw new Error('dist/bench/generate-once.js is missing: run npm run build before these tests');
    const row = JSON.parse(execFileSync(process.execPath, ['dist/bench/generate-once.js', '3', '2'], { cwd: ROOT, encoding: 'utf8' })) as Record<string, number>;
    expect(row).toMatchObject({ members: 3, jobs: 2 });
    // A default member is some 300 resources; the directory adds its own.
    expect(row.resources).toBeGreaterThan(3 * 100);
    expect(row.bytes).toBeGreaterThan(row.resources! * 100);
    // The child's high-water mark: a node process running the CLI holds far more than the bench's 20 ms sampler would alone.
    expect(row.peakRssMiB).toBeGreaterThan(60);
    expect(row.resourcesPerSecond).toBeCloseTo(row.resources! / row.seconds!, 6);
  });
});

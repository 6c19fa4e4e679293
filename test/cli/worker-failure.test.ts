// A worker thread that fails, on the built CLI: exit 70 with the failing worker named, no hang, no output left.
// The failure is a real one, not a switch in the shipped code: an install (a copy of dist/ with its own
// package.json) whose worker modules are missing, as an incomplete deploy would leave it. 26 s at load average 15
// (most of it validate loading the packages in the main thread before its workers start).
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, type CliRun } from '../helpers/cli.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = tempDir('fhirseed-worker-failure-');
afterAll(() => temp.cleanup());
const install = join(temp.dir, 'install');
const population = join(temp.dir, 'population');

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/bin.js'))) throw new Error('dist/src/cli/bin.js is missing: run npm run build before these tests');
  mkdirSync(join(install, 'dist'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(install, 'package.json'));
  for (const dir of ['node_modules', 'code-maps', 'profiles']) symlinkSync(join(ROOT, dir), join(install, dir));
  cpSync(join(ROOT, 'dist/src'), join(install, 'dist/src'), { recursive: true });
  rmSync(join(install, 'dist/src/output/member-worker.js'));
  rmSync(join(install, 'dist/src/validate/validate-worker.js'));
  generateTo(population, { ...shippedProfile('default'), members: 2 }, { formats: ['ndjson'] });
}, 120_000);

function run(args: string[]): Promise<CliRun> {
  return runBin(join(install, 'dist/src/cli/bin.js'), args, temp.dir);
}

describe('a worker thread that fails', () => {
  it('should stop generate --jobs 2 with exit 70, naming the worker, and leave no output', async () => {
    const out = join(temp.dir, 'out');
    const result = await run(['generate', '--members', '4', '--out', out, '--jobs', '2']);
    expect(result.code, result.stderr).toBe(70);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(/^fhirseed: internal error — this is a bug in fhirseed/);
    expect(lines[1]).toMatch(/^generate worker [01] failed: Cannot find module/);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(temp.dir).filter((e) => e.includes('fhirseed-tmp'))).toEqual([]);
  }, 60_000);

  it('should stop validate --jobs 2 with exit 70, naming the worker, and print no report', async () => {
    const result = await run(['validate', join(population, 'ndjson'), '--packages', SHARED_PACKAGES, '--jobs', '2', '--json']);
    expect(result.code, result.stderr).toBe(70);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(/^fhirseed: internal error — this is a bug in fhirseed/);
    expect(lines[1]).toMatch(/^validate worker [01] failed: Cannot find module/);
    expect(result.stdout).toBe('');
  }, 60_000);
});

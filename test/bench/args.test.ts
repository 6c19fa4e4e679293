import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results.json');

/** `npm run bench -- --help` printed nothing of the kind: it started the whole bench (half an hour on 2 cores). */
describe('npm run bench: arguments', () => {
  // The built bench, as npm run bench runs it; a dist/ without bench/args.js predates the check and would run the bench.
  const bench = (args: string[]) => {
    if (!existsSync(join(ROOT, 'dist/bench/args.js'))) throw new Error('dist/bench/args.js is missing: run npm run build before these tests');
    return spawnSync(process.execPath, ['dist/bench/run.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  };
  const results = () => (existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : undefined);

  it('should print the usage for --help and run nothing', () => {
    const before = results();
    for (const flag of ['--help', '-h']) {
      const r = bench([flag]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^usage: npm run bench/);
      expect(r.stdout).toContain('--generate-only');
      expect(r.stdout).not.toContain('members/s');
    }
    expect(results()).toBe(before);
  });

  it('should refuse an unknown option or a bad --sizes in one line, exit 2, before running anything', () => {
    const before = results();
    for (const [args, says] of [
      [['--bogus'], /^bench: unknown option '--bogus'.* \(see npm run bench -- --help\)$/],
      [['--sizes', '200,x'], /^bench: --sizes 200,x: "x" is not a whole number ≥ 1/],
      [['--sizes', '0'], /^bench: --sizes 0: "0" is not/],
      [['--jobs', '2,0'], /^bench: --jobs 2,0: "0" is not a whole number ≥ 1/],
      [['--sizes'], /^bench: .*--sizes.* \(see npm run bench -- --help\)$/],
      [['extra'], /^bench: .*'extra'.* \(see npm run bench -- --help\)$/],
    ] as const) {
      const r = bench([...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim(), args.join(' ')).toMatch(says);
      expect(r.stdout).toBe('');
    }
    expect(results()).toBe(before);
  });

  it('should read the sizes and flags as README says', () => {
    expect(parseBenchArgs([])).toEqual({ help: false, sizes: [1000, 10000], ndjsonOnly: false, generateOnly: false });
    expect(parseBenchArgs(['--large'])).toEqual({ help: false, sizes: [1000, 10000, 100000], ndjsonOnly: false, generateOnly: false });
    expect(parseBenchArgs(['--sizes', '200,500', '--generate-only'])).toEqual({ help: false, sizes: [200, 500], ndjsonOnly: false, generateOnly: true });
    expect(parseBenchArgs(['--sizes=1000', '--large']).sizes).toEqual([1000]);
    // 100,000 members on a disk without room for both formats (~128 GB): NDJSON alone, --jobs 2 first.
    expect(parseBenchArgs(['--large', '--ndjson-only', '--jobs', '2,1'])).toEqual({ help: false, sizes: [1000, 10000, 100000], jobs: [2, 1], ndjsonOnly: true, generateOnly: false });
  });

  // House rule: only src/cli/bin.ts ends the process. The bench's --help and bad options set process.exitCode instead.
  it('should leave process.exit to src/cli/bin.ts (no call in src/ or bench/ besides it)', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const callers = [...files('src'), ...files('bench')].filter((f) => /\bprocess\.exit\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(callers).toEqual([join('src', 'cli', 'bin.ts')]);
  });
});

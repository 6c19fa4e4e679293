import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cappedJobs, jobsNote } from '../../src/cli/numbers.js';
import { runCli } from '../../src/cli/run.js';
import { tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-cli-jobs-bound-');
afterAll(() => temp.cleanup());

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

describe('--jobs is at most the threads the machine runs at once', () => {
  it('should keep a --jobs within the cores and lower one above them to the cores (at least 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: -2, max: 256 }), (asked, cores) => {
        const jobs = cappedJobs(asked, cores);
        expect(jobs).toBe(asked <= Math.max(1, cores) ? asked : Math.max(1, cores));
      }),
    );
  });

  it('should generate with --jobs 50 × the cores lowered to the cores, saying so in one line on stderr, exit 0', async () => {
    const cores = availableParallelism();
    const asked = cores * 50;
    const r = await run(['generate', '--members', '1', '--jobs', String(asked), '--out', join(temp.dir, 'many')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(jobsNote(asked, cores));
    expect(r.stderr).toBe(`fhirseed: --jobs ${asked} is more than the ${cores} threads this machine runs at once (os.availableParallelism()); using --jobs ${cores} (the output is the same for any --jobs)\n`);
    // A count of one in the singular.
    expect(r.stdout).toMatch(/^fhirseed: wrote 1 member, \d+ resources to /);
    const within = await run(['generate', '--members', '1', '--jobs', String(cores), '--out', join(temp.dir, 'within')]);
    expect([within.code, within.stderr]).toEqual([0, '']);
  });

  it('should tell a bad option after the note would have been due as one line, without the note', async () => {
    const r = await run(['generate', '--members', '1', '--jobs', '999', '--format', 'xml', '--out', join(temp.dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('--jobs 999');
  });
});

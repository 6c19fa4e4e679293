// One generate at a time per output: two runs on one --out both ended 0 and the later one's output silently replaced
// the earlier's (V-report 12). The second is refused in one line naming the pid (as a second serve of a store is); a
// stale lock (its process gone) is taken over; the lock is gone once a run ends. Real files, real processes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { generateAsync } from '../../src/output/generate.js';
import { UserError } from '../../src/util/errors.js';
import { processStamp } from '../../src/util/running.js';
import { codeMaps, generateTo, readTree, shippedProfile, tempDir } from '../helpers/output.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));
const newDir = () => {
  const t = tempDir('fhirseed-output-lock-');
  cleanups.push(t.cleanup);
  return t.dir;
};
const profile = { ...shippedProfile('default'), members: 2 };

/** Every file under `dir` with a SHA-256 of its bytes (toEqual on the bytes themselves takes a minute). */
const digest = (dir: string) => new Map([...readTree(dir)].map(([file, bytes]) => [file, createHash('sha256').update(bytes).digest('hex')]));

/** A live node process standing in for another generate. */
async function holder(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  cleanups.unshift(() => void child.kill());
  await once(child, 'spawn');
  return child.pid!;
}

describe('generate: one run per output', () => {
  it('should refuse a run while another live process holds the output, in one line naming it, touching nothing', async () => {
    const parent = newDir();
    const out = join(parent, 'out');
    generateTo(out, profile);
    const before = digest(out);
    const pid = await holder();
    const lock = join(parent, '.out.fhirseed-lock');
    writeFileSync(lock, `${pid} ${processStamp(pid)}\n`);
    let stderr = '';
    const code = await runCli(['generate', '--members', '3', '--out', out], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `fhirseed: output directory ${out}: another fhirseed generate (pid ${pid}) is writing it; wait for that one to end, or give another --out; if pid ${pid} is not a fhirseed generate or start, delete ${lock}\n`,
    );
    expect(digest(out)).toEqual(before);
    expect(readdirSync(parent).sort()).toEqual(['.out.fhirseed-lock', 'out']);
    // Another shard of the same output is another lock: not refused.
    expect(() => generateTo(out, profile, { shard: { index: 1, count: 2 } })).not.toThrow();
  });

  it('should refuse a second run of this process on one output while the first runs, and let the first finish', async () => {
    const out = join(newDir(), 'out');
    const first = generateAsync({ profile: { ...profile, members: 4 }, out, codeMaps });
    const second = generateAsync({ profile, out, codeMaps }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const refused = (await second) as Error;
    expect(refused).toBeInstanceOf(UserError);
    expect(refused.message).toMatch(new RegExp(`^output directory .*out: another fhirseed generate \\(pid ${process.pid}\\) is writing it`));
    expect((await first).members.written).toBe(4);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).members.total).toBe(4);
  });

  it('should take over a stale lock (its process gone) and leave no lock once the run ends', async () => {
    const parent = newDir();
    const out = join(parent, 'out');
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    writeFileSync(join(parent, '.out.fhirseed-lock'), `${gone.pid}\n`);
    generateTo(out, profile);
    expect(readdirSync(parent)).toEqual(['out']);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });

  it("should take a lock file left inside --out (where a mounted output keeps it) as fhirseed's own", () => {
    const out = join(newDir(), 'out');
    generateTo(out, profile);
    // A leftover lock inside --out (a mounted volume's) is fhirseed's own: not a foreign file, not moved aside.
    writeFileSync(join(out, '.fhirseed-lock'), '999999999\n');
    expect(() => generateTo(out, profile)).not.toThrow();
  });
});

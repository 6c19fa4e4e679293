import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';

/**
 * One generation run as users start it: `node dist/src/cli/bin.js generate --members MEMBERS --jobs JOBS` (what
 * `npx fhirseed generate` runs), in a process of its own, so that its peak memory (worker threads included) and its
 * start-up (modules, code maps, profile) are the command's own: `node generate-once.js MEMBERS JOBS [--ceiling] [--ndjson-only]`
 * (`--ndjson-only`: `generate --format ndjson`, for 100,000 members on a disk without room for both formats).
 * Prints one JSON line: members, resources (from the run's manifest), bytes written, seconds from spawn to exit, rates,
 * peak RSS (MiB: the child's VmHWM, read from /proc every 20 ms while it runs — the high-water mark only grows, and
 * a run's last 20 ms are its manifest and rename), and with --ceiling the stringify ceiling: compact JSON.stringify
 * calls per second on one core over the resources this run wrote (up to 20,000 of them, read back from the NDJSON,
 * each stringified in turn for ≥ 2 s). Linux only (/proc), as the machine the figures are taken on.
 */
const members = Number(process.argv[2] ?? '1000');
const jobs = Number(process.argv[3] ?? '1');
const withCeiling = process.argv.includes('--ceiling');
const ndjsonOnly = process.argv.includes('--ndjson-only');
const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
const out = join(mkdtempSync(join(tmpdir(), 'fhirseed-bench-')), 'out');
const { seconds, peakRssKiB } = await runCli(['generate', '--members', String(members), '--jobs', String(jobs), ...(ndjsonOnly ? ['--format', 'ndjson'] : []), '--out', out, '--yes']);
const peakRssMiB = peakRssKiB / 1024;
const bytes = treeBytes(out);
const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { counts: { byType: Record<string, number> } };
const resources = Object.values(manifest.counts.byType).reduce((a, b) => a + b, 0);
const ceiling = withCeiling ? stringifyCeiling(out) : {};
rmSync(join(out, '..'), { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ members, jobs, ...(ndjsonOnly ? { ndjsonOnly } : {}), resources, bytes, seconds, membersPerSecond: members / seconds, resourcesPerSecond: resources / seconds, mbPerSecond: bytes / 1e6 / seconds, peakRssMiB, ...ceiling })}\n`,
);

/** Runs the CLI with `args` (stdout dropped, stderr kept for a failure); its wall time and its peak RSS (KiB). Throws when it fails. */
function runCli(args: string[]): Promise<{ seconds: number; peakRssKiB: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  let peakRssKiB = 0;
  const sample = () => {
    try {
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakRssKiB = Math.max(peakRssKiB, Number(hwm[1]));
    } catch {
      // gone already: the last sample stands
    }
  };
  const poll = setInterval(sample, 20);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve({ seconds, peakRssKiB });
      else reject(new Error(`bench: fhirseed ${args.join(' ')} exited ${code ?? signal}\n${stderr}`));
    });
  });
}

function treeBytes(dir: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) sum += e.isDirectory() ? treeBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return sum;
}

/** Compact stringifies per second on this thread over a sample of the run's own resources (every type in proportion). */
function stringifyCeiling(dir: string): { ceilingStringifiesPerSecond: number; ceilingSample: number } {
  const lines = sampleLines(join(dir, 'ndjson'), 128 * 2 ** 20);
  const step = Math.max(1, Math.floor(lines.length / 20000));
  const sample = lines.filter((_, i) => i % step === 0).map((l) => JSON.parse(l) as unknown);
  let count = 0;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 2) {
    for (const r of sample) sink += JSON.stringify(r).length;
    count += sample.length;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  if (sink === 0) throw new Error('bench: empty sample');
  return { ceilingStringifiesPerSecond: count / elapsed, ceilingSample: sample.length };
}

/**
 * Whole NDJSON lines from the start of each file, the same share of every file's bytes, at most about `budget`
 * bytes in all: the types keep their proportions, and a 10,000-member run's files (some over V8's 512 MiB string
 * limit) are never read whole.
 */
function sampleLines(ndjson: string, budget: number): string[] {
  const files = readdirSync(ndjson).map((f) => join(ndjson, f));
  const total = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const share = Math.min(1, budget / Math.max(1, total));
  return files.flatMap((file) => {
    const size = statSync(file).size;
    const want = share === 1 ? size : Math.min(size, Math.ceil(size * share) + 256 * 1024);
    const buffer = Buffer.alloc(want);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, want, 0);
    } finally {
      closeSync(fd);
    }
    const text = buffer.toString('utf8');
    // A prefix ends inside a line: keep only the lines it holds whole.
    const whole = want === size ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    return whole.split('\n').filter(Boolean);
  });
}

import { closeSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCodeMaps } from '../src/codemaps/load.js';
import { generateAsync } from '../src/output/generate.js';
import { loadProfile } from '../src/profile/load.js';
import { profileLoadOptions } from '../src/story/limits.js';
import { GENERATE_HEAP_GROWING_PERCENT, keepHeapTight } from '../src/util/heap.js';
import { packageRoot } from '../src/util/paths.js';

// As `fhirseed generate` runs (src/cli/commands/generate.ts): the peak RSS measured is the command's.
keepHeapTight(GENERATE_HEAP_GROWING_PERCENT);

/**
 * One generation run in its own process, so that its peak memory is its own (worker threads
 * included: they share the process): `node generate-once.js MEMBERS JOBS [--ceiling]`. Prints one
 * JSON line: members, resources, bytes written, seconds, rates, peak RSS (MiB), and with --ceiling
 * the stringify ceiling: compact JSON.stringify calls per second on one core over the resources this
 * run wrote (up to 20,000 of them, read back from the NDJSON, each stringified in turn for ≥ 2 s).
 */
const members = Number(process.argv[2] ?? '1000');
const jobs = Number(process.argv[3] ?? '1');
const withCeiling = process.argv.includes('--ceiling');
const codeMaps = loadCodeMaps();
const profile = loadProfile(join(packageRoot(), 'profiles', 'default.yaml'), profileLoadOptions(codeMaps));
const out = join(mkdtempSync(join(tmpdir(), 'fhirseed-bench-')), 'out');
const started = process.hrtime.bigint();
const manifest = await generateAsync({ profile: { ...profile, members }, out, codeMaps, jobs });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
const bytes = treeBytes(out);
const resources = Object.values(manifest.counts.byType).reduce((a, b) => a + b, 0);
const ceiling = withCeiling ? stringifyCeiling(out) : {};
rmSync(join(out, '..'), { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ members, jobs, resources, bytes, seconds, membersPerSecond: members / seconds, resourcesPerSecond: resources / seconds, mbPerSecond: bytes / 1e6 / seconds, peakRssMiB, ...ceiling })}\n`,
);

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

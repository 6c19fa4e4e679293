// keepHeapTight (issue 13: generate and validate peak RSS), called by those commands: a child process keeps 50 MiB live while
// churning through objects that survive a few rounds (as resources in the writer's queue do); the heap's highest total is
// compared with its live data, with and without the call. About 7 s (three child processes).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** `tight`: the argument keepHeapTight is called with ('' for none: its default), or no call at all. */
const churn = (tight: string | undefined) => `
  ${tight !== undefined ? `const heap = await import(${JSON.stringify(new URL('../../src/util/heap.ts', import.meta.url).href)}); heap.keepHeapTight(${tight});` : ''}
  const live = [];
  for (let i = 0; i < 250000; i++) live.push({ a: i, b: 'x' + i, c: [i, i + 1] });
  const ring = [];
  let max = 0;
  for (let round = 0; round < 150; round++) {
    const junk = [];
    for (let i = 0; i < 20000; i++) junk.push({ a: i, b: 'y' + i, c: [i] });
    ring[round % 8] = junk;
    max = Math.max(max, process.memoryUsage().heapTotal);
  }
  globalThis.gc();
  console.log(JSON.stringify({ max, live: process.memoryUsage().heapUsed, kept: live.length + ring.length }));
`;

function run(tight: string | undefined): { max: number; live: number } {
  const register = new URL('../../src/output/ts-worker-register.mjs', import.meta.url).href;
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', register, '--input-type=module', '-e', churn(tight)], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { max: number; live: number };
}

describe('keepHeapTight', () => {
  it("should keep the heap within about twice its live data where V8 alone lets it grow past four times, and generate's between the two", () => {
    const tight = run('');
    const loose = run(undefined);
    expect(tight.live).toBeGreaterThan(40 * 2 ** 20);
    expect(tight.max / tight.live).toBeLessThan(2.5);
    expect(loose.max / loose.live).toBeGreaterThan(tight.max / tight.live);
    // generate's own percentage: looser than the default, still well under what V8 alone allows.
    const generate = run('heap.GENERATE_HEAP_GROWING_PERCENT');
    // (measured: 2.2 at the default 30 %, 3.0 at generate's 100 %, 4.8 with V8's own growth)
    expect(generate.max / generate.live).toBeGreaterThan((tight.max / tight.live) * 1.15);
    expect(generate.max / generate.live).toBeLessThan(loose.max / loose.live);
  });
});

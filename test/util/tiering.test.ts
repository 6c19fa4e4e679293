// generate's V8 tiering (src/util/tiering.ts): with the interrupt budget raised, TurboFan compiles a function only after
// several times the calls it needs by default, so that the few-times-a-member code of a run is not compiled (issue 13).
// The behaviour is checked in a child node (V8 flags are process-wide), with compiles synchronous and traced.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERATE_INTERRUPT_BUDGET, tierUpLater, tieringMeasuredOn } from '../../src/util/tiering.js';

const REGISTER = fileURLToPath(new URL('../../src/output/ts-worker-register.mjs', import.meta.url));
const TIERING = fileURLToPath(new URL('../../src/util/tiering.ts', import.meta.url));

/** Whether `hot` was marked for TurboFan within `calls` calls, in a child node that called tierUpLater() or not. */
function optimizedWithin(calls: number, later: boolean): boolean {
  const script = [
    `const { tierUpLater } = await import(${JSON.stringify(TIERING)});`,
    later ? 'tierUpLater();' : '',
    'function hot(values) { let sum = 0; for (const v of values) sum += v * 2; return sum; }',
    `let total = 0; for (let i = 0; i < ${calls}; i++) total += hot([i, i + 1, i + 2]);`,
    'console.log(total);',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', REGISTER, '--trace-opt', '--no-concurrent-recompilation', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return /marking \S+ <JSFunction hot /.test(run.stdout);
}

describe('tierUpLater', () => {
  it('should be set only on the V8 it was measured on (node 20)', () => {
    expect(tieringMeasuredOn('11.3.244.8-node.35')).toBe(true);
    expect(tieringMeasuredOn('12.4.254.21-node.33')).toBe(false);
    expect(tieringMeasuredOn('10.2.154.26-node.26')).toBe(false);
    expect(tierUpLater('12.4.254.21-node.33')).toBe(false);
    expect(GENERATE_INTERRUPT_BUDGET).toBe(8 * 66 * 1024);
  });

  // Node 20's default budget marks `hot` after about 1,000 calls, the raised one after about 8,600.
  it.runIf(tieringMeasuredOn(process.versions.v8))('should leave a function unoptimised after calls that optimise it by default', () => {
    expect(optimizedWithin(4000, false)).toBe(true);
    expect(optimizedWithin(4000, true)).toBe(false);
    expect(optimizedWithin(20000, true)).toBe(true);
  });
});

import { spawnSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { currentScheduling, parseScheduling, schedulingText } from '../../bench/scheduling.js';

/** A /proc/PID/stat line (proc(5)) whose command name holds spaces and parentheses, with nice, rt_priority and policy. */
function statLine(comm: string, nice: number, rtPriority: number, policy: number): string {
  const fields = Array.from({ length: 52 - 2 }, (_, i) => String(i + 3));
  fields[19 - 3] = String(nice);
  fields[40 - 3] = String(rtPriority);
  fields[41 - 3] = String(policy);
  return `4242 (${comm}) ${fields.join(' ')}\n`;
}

describe('bench scheduling', () => {
  it('should read nice, real-time priority and policy past a command name with spaces and parentheses', () => {
    expect(parseScheduling(statLine('node (x) y', -5, 0, 0))).toEqual({ policy: 'SCHED_OTHER', nice: -5, rtPriority: 0 });
    expect(parseScheduling(statLine('a) b', 0, 1, 2))).toEqual({ policy: 'SCHED_RR', nice: 0, rtPriority: 1 });
    expect(parseScheduling(statLine('idle', 19, 0, 5)).policy).toBe('SCHED_IDLE');
    expect(() => parseScheduling('not a stat line')).toThrow(/not a \/proc\/PID\/stat line/);
  });

  it("should report this process's own nice value", () => {
    const own = currentScheduling();
    expect(own?.nice).toBe(getPriority());
    expect(schedulingText(own)).toMatch(/^scheduling SCHED_OTHER nice -?\d+ \(figures move/);
  });

  // chrt needs CAP_SYS_NICE (CI and these machines run as root); elsewhere the case has nothing to run.
  const rr = spawnSync('chrt', ['-r', '1', 'true']);
  it.runIf(rr.status === 0)('should say a process under chrt -r 1 runs at real time', () => {
    const stat = spawnSync('chrt', ['-r', '1', 'cat', '/proc/self/stat'], { encoding: 'utf8' }).stdout;
    expect(parseScheduling(stat)).toEqual({ policy: 'SCHED_RR', nice: getPriority(), rtPriority: 1 });
    expect(schedulingText(parseScheduling(stat))).toMatch(/^scheduling SCHED_RR priority 1 \(real time/);
  });
});

import { readFileSync } from 'node:fs';

/** Linux scheduling policies by number (sched(7); `policy` is field 41 of /proc/PID/stat, proc(5)). */
const POLICIES = ['SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE'];

/**
 * How a process is scheduled, as a bench row must say: a bench at a real-time policy (`chrt -r 1 npm run bench`) takes
 * the CPU before any normal process, so others' `nice` work does not slow it; at SCHED_OTHER its figures move with
 * the machine's load.
 */
export interface Scheduling {
  /** `SCHED_OTHER`, `SCHED_RR`, … (sched(7)). */
  policy: string;
  /** The nice value, -20…19 (meaningful for SCHED_OTHER and SCHED_BATCH). */
  nice: number;
  /** The real-time priority, 1…99 for SCHED_FIFO and SCHED_RR, else 0. */
  rtPriority: number;
}

/**
 * The scheduling of the process whose `/proc/PID/stat` text is `stat` (proc(5): field 19 nice, 40 rt_priority, 41
 * policy, counted from 1 with the command name in parentheses as field 2, which may hold spaces and parentheses).
 * @throws Error when the text is not a stat line.
 */
export function parseScheduling(stat: string): Scheduling {
  const close = stat.lastIndexOf(')');
  // Fields from 3 on (state), so field N is at index N - 3.
  const fields = close < 0 ? [] : stat.slice(close + 2).trim().split(' ');
  if (fields.length < 39) throw new Error(`not a /proc/PID/stat line: ${stat.slice(0, 60)}`);
  const policy = Number(fields[41 - 3]);
  return { policy: POLICIES[policy] ?? `policy ${policy}`, nice: Number(fields[19 - 3]), rtPriority: Number(fields[40 - 3]) };
}

/** This process's scheduling (Linux), or undefined where /proc is not there. */
export function currentScheduling(): Scheduling | undefined {
  try {
    return parseScheduling(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** One line for the bench's output: `scheduling SCHED_RR priority 1 (real time)` or `scheduling SCHED_OTHER nice 0`. */
export function schedulingText(s: Scheduling | undefined): string {
  if (!s) return 'scheduling unknown (no /proc)';
  return s.policy === 'SCHED_RR' || s.policy === 'SCHED_FIFO'
    ? `scheduling ${s.policy} priority ${s.rtPriority} (real time: others' normal work takes no CPU from the bench)`
    : `scheduling ${s.policy} nice ${s.nice} (figures move with the machine's load)`;
}

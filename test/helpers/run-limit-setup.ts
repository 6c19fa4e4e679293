import { readdirSync, readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/**
 * vitest globalSetup: a limit on the whole run, `FHIRSEED_TEST_RUN_LIMIT_MS` (default 40 min; the suite takes ~10 on
 * the 2-core CI machine). A test file that never ends without blocking its thread (a promise nothing settles while
 * the file is collected, which no test timeout covers) kept CI waiting to its own limit with nothing said. At the
 * limit this prints the files still running and the run's processes (pid, state, command line), kills them and ends
 * the run with exit code 1. Thread-blocking tests are named earlier, by each worker's watchdog (hang-watchdog.ts).
 *
 * At the end of the run, processes the tests started and left running (a server child a test did not stop, now
 * nobody's child) are killed and named on stderr: one holding the run's output open keeps a caller that reads it to
 * its end (CI) waiting although the run is over. They are told by `FHIRSEED_TEST_RUN_ID` in their environment, set
 * here for the workers and what they start.
 */
export default function limitRun(project: TestProject): () => void {
  // Each vitest project runs the global setups: the first one's limit serves the whole run.
  if (process.env.FHIRSEED_TEST_RUN_LIMIT_SET) return () => undefined;
  process.env.FHIRSEED_TEST_RUN_LIMIT_SET = '1';
  const runId = `${process.pid}-${Date.now()}`;
  process.env.FHIRSEED_TEST_RUN_ID = runId;
  const limit = Number(process.env.FHIRSEED_TEST_RUN_LIMIT_MS) || 40 * 60_000;
  const timer = setTimeout(() => {
    const running = project.vitest.state
      .getFiles()
      .filter((file) => !['pass', 'fail', 'skip', 'todo'].includes(file.result?.state ?? ''))
      .map((file) => `${file.name} (${file.result?.state ?? 'being collected'})`);
    const processes = [...descendants(process.pid), ...leftBehind(runId)];
    process.stderr.write(
      `run-limit: the test run has taken ${Math.round(limit / 1000)} s (FHIRSEED_TEST_RUN_LIMIT_MS): ending it. ` +
        `Files still running: ${running.sort().join(', ') || 'none'}. Its processes:\n` +
        processes.map((p) => `    ${p.pid} ${p.state} ${p.command}`).join('\n') + '\n',
    );
    for (const p of processes) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(1);
  }, limit);
  timer.unref();
  return () => {
    clearTimeout(timer);
    delete process.env.FHIRSEED_TEST_RUN_LIMIT_SET;
    delete process.env.FHIRSEED_TEST_RUN_ID;
    const left = leftBehind(runId);
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (left.length) process.stderr.write(`note: killed ${left.length} process(es) the tests left running: ${left.map((p) => `${p.pid} ${p.command}`).join('; ')}\n`);
  };
}

/** Processes started by this run (`FHIRSEED_TEST_RUN_ID=runId` in their environment) but this one and its test workers. */
function leftBehind(runId: string): { pid: number; state: string; command: string }[] {
  const marker = `\0FHIRSEED_TEST_RUN_ID=${runId}\0`;
  const table = processTable();
  const workers = new Set([...table].filter(([, p]) => p.ppid === process.pid).map(([pid]) => pid));
  const found: { pid: number; state: string; command: string }[] = [];
  for (const [pid, p] of table) {
    if (pid === process.pid || workers.has(pid)) continue;
    try {
      if (`\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(marker)) found.push({ pid, state: p.state, command: p.command });
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return found;
}

/** Every process below `root` (from /proc: pid, state letter, command line), parents before their children. */
function descendants(root: number): { pid: number; state: string; command: string }[] {
  const table = processTable();
  const found: { pid: number; state: string; command: string }[] = [];
  const walk = (parent: number) => {
    for (const [pid, p] of table) {
      if (p.ppid !== parent) continue;
      found.push({ pid, state: p.state, command: p.command });
      walk(pid);
    }
  };
  walk(root);
  return found;
}

/** The machine's processes from /proc: pid → parent pid, state letter, command line (its first 300 characters). */
function processTable(): Map<number, { ppid: number; state: string; command: string }> {
  const table = new Map<number, { ppid: number; state: string; command: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 300);
      table.set(Number(entry), { ppid: Number(ppid), state: state!, command });
    } catch {
      // ended meanwhile
    }
  }
  return table;
}

import { readdirSync, readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/**
 * vitest globalSetup: a limit on the whole run, `FHIRSEED_TEST_RUN_LIMIT_MS` (default 40 min; the suite takes ~10 on
 * the 2-core CI machine). A test file that never ends without blocking its thread (a promise nothing settles while
 * the file is collected, which no test timeout covers) kept CI waiting to its own limit with nothing said. At the
 * limit this prints the files still running and the run's processes (pid, state, command line), kills them and ends
 * the run with exit code 1. Thread-blocking tests are named earlier, by each worker's watchdog (hang-watchdog.ts).
 */
export default function limitRun(project: TestProject): () => void {
  // Each vitest project runs the global setups: the first one's limit serves the whole run.
  if (process.env.FHIRSEED_TEST_RUN_LIMIT_SET) return () => undefined;
  process.env.FHIRSEED_TEST_RUN_LIMIT_SET = '1';
  const limit = Number(process.env.FHIRSEED_TEST_RUN_LIMIT_MS) || 40 * 60_000;
  const timer = setTimeout(() => {
    const running = project.vitest.state
      .getFiles()
      .filter((file) => !['pass', 'fail', 'skip', 'todo'].includes(file.result?.state ?? ''))
      .map((file) => `${file.name} (${file.result?.state ?? 'being collected'})`);
    const processes = descendants(process.pid);
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
  };
}

/** Every process below `root` (from /proc: pid, state letter, command line), parents before their children. */
function descendants(root: number): { pid: number; state: string; command: string }[] {
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

import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** What a finished CLI child process left: its exit code (null when a signal ended it) and its whole output. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What else a CLI child gets: node options before BIN (`--import …`), and variables added to this process's environment. */
export interface RunBinOptions {
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) when it has not ended after this many ms, so that no child outlives its test. */
  timeoutMs?: number;
}

/** Runs `node [NODE_ARGS…] BIN ARGS…` in `cwd` (stdin closed) and resolves when it exits, with its output. */
export function runBin(bin: string, args: string[], cwd: string, options: RunBinOptions = {}): Promise<CliRun> {
  const env = options.env ? { ...process.env, ...options.env } : undefined;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs, killSignal: 'SIGKILL' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

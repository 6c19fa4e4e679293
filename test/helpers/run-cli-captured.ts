import { runCli } from '../../src/cli/run.js';

/** `fhirseed ARGS` run in this process (runCli, not a TTY), with what it wrote to stdout and stderr. */
export async function runCliCaptured(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

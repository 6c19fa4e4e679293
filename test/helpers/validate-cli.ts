import { runCli } from '../../src/cli/run.js';
import { SHARED_PACKAGES } from './packages.js';

/** `fhirseed validate ARGS --packages <the shared packages>` in this process: its exit code, stdout and stderr. */
export async function validateCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['validate', ...args, '--packages', SHARED_PACKAGES], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

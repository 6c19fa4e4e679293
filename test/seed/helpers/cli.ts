import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../../../src/cli/run.js';
import { UserError } from '../../../src/util/errors.js';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs one command module as runCli would (strict yargs, UserError → exit code), capturing output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runCommand(command: CommandModule<any, any>, args: string[]): Promise<CliRun> {
  const out = { stdout: '', stderr: '' };
  const context: CommandContext = {
    io: { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), isTty: false },
    result: { exitCode: 0 },
  };
  const parser = yargs(args)
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UserError(message ?? 'invalid command line', 2);
    })
    .command(command);
  try {
    await parser.parseAsync(args, context);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    out.stderr += `fhirseed: ${error.message}\n`;
    return { exitCode: error.exitCode, ...out };
  }
  return { exitCode: context.result.exitCode, ...out };
}

import yargs, { type MiddlewareFunction } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError } from '../util/errors.js';
import { refuseBadBooleans, refuseBadChoices, refuseBareValues, refuseRepeatedValues, type ValueOptions } from './choices.js';
import { commandsFor } from './commands/load.js';
import { rewordParserMessage } from './parser-messages.js';
import { refuseNaNOptions } from './typed-numbers.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars only then). */
  isTty: boolean;
  /** Without a terminal: ms before the first progress line (default QUIET_MS, src/cli/progress.ts). */
  progressQuietMs?: number;
}

/** Merged into every command's argv: where to write, and where to put the exit code. */
export interface CommandContext {
  io: CliIo;
  result: { exitCode: number };
}

/**
 * Runs the CLI and returns the exit code; never calls process.exit (only bin.ts does).
 * Exit codes: 0 done; 1 findings (validation errors, failed seeding, set by the command through
 * `result.exitCode`); 2 a user or environment mistake (UserError: one line on stderr); 130
 * interrupted (Interrupted, a UserError: one line); anything else thrown is a bug, rethrown with its
 * stack for bin.ts to report and exit 70.
 */
export async function runCli(argv: string[] = hideBin(process.argv), io: CliIo = defaultIo): Promise<number> {
  const context: CommandContext = { io, result: { exitCode: 0 } };
  const commands = await commandsFor(argv);
  const usages = Object.fromEntries(commands.map((c) => [String(c.command).split(' ')[0]!, String(c.command)]));
  const parser = yargs(argv)
    .scriptName('fhirseed')
    .strict()
    .demandCommand(1, 'Name a command; see fhirseed --help.')
    .recommendCommands()
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      // yargs' own messages, one line in fhirseed's words naming the command (src/cli/parser-messages.ts).
      throw new UserError(rewordParserMessage(message ?? 'invalid command line', argv, usages, optionNames(parser)), 2);
    })
    // yargs follows $LANG/$LC_ALL for its own messages; every other line fhirseed prints is English.
    .locale('en')
    .middleware(choicesMiddleware(argv), true)
    .middleware((parsed) => refuseNaNOptions(parsed, argv));
  for (const command of commands) parser.command(command);
  try {
    await parser.parseAsync(argv, context);
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr(`fhirseed: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  return context.result.exitCode;
}

/**
 * yargs hands middleware the running command's parser too (its typings leave it out): its options say which take a
 * value and which have choices.
 */
function choicesMiddleware(raw: string[]): MiddlewareFunction {
  const check = (parsed: Record<string, unknown>, current: { getOptions(): ValueOptions }) => {
    const options = current.getOptions();
    refuseBareValues(options, raw);
    refuseRepeatedValues(parsed, options, raw);
    refuseBadBooleans(options, raw);
    refuseBadChoices(parsed, options.choices, raw);
  };
  return check as unknown as MiddlewareFunction;
}

/**
 * The option names and aliases of the command yargs is running (one yargs instance runs every command; in a failure
 * it holds the failing command's options), for suggesting the one meant.
 */
function optionNames(parser: unknown): string[] {
  const { key, alias } = (parser as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  return [...Object.keys(key), ...Object.values(alias).flat()];
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stderr.isTTY),
};

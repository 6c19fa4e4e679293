import type { CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';

/** Each command's module, loaded on demand, by the name it is typed with. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const LOADERS: Record<string, () => Promise<CommandModule<any, any>>> = {
  generate: async () => (await import('./generate.js')).generateCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  start: async () => (await import('./start.js')).startCommand,
  seed: async () => (await import('./seed.js')).seedCommand,
  ping: async () => (await import('./ping.js')).pingCommand,
  purge: async () => (await import('./purge.js')).purgeCommand,
  report: async () => (await import('./report.js')).reportCommand,
  kits: async () => (await import('./kits.js')).kitsCommand,
  'mapping-guide': async () => (await import('./mapping-guide.js')).mappingGuideCommand,
};

/** The names of the commands, in the order `fhirseed --help` lists them (src/cli/commands/index.ts, headings.ts). */
export const COMMAND_NAMES = Object.keys(LOADERS);

/**
 * The commands the CLI needs for `argv` (the arguments after `fhirseed`): when the first argument that is not
 * an option names a command, that command's module alone; when no argument names a command (`--help`, `--version`,
 * nothing, a typo that yargs may suggest a command for), each command's heading alone (COMMAND_HEADINGS: usage line
 * and description, all yargs lists or suggests from; no command can run, so their handlers are never called);
 * otherwise (an option before the command, `-n 5 generate`) every command, as src/cli/commands/index.ts lists them.
 * Loading one command keeps the others' modules out of the process: `fhirseed generate` does not load the server,
 * the validator or the report charts (about 50 MiB of RSS less in its main thread and a second of start-up; issue 13),
 * and `fhirseed --help` loads none of them (2.5 CPU-s to about 0.6).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function commandsFor(argv: readonly string[]): Promise<CommandModule<any, any>[]> {
  const name = argv.find((a) => !a.startsWith('-'));
  const load = name !== undefined && Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  if (load) return [await load()];
  if (!argv.some((a) => Object.hasOwn(LOADERS, a))) return COMMAND_NAMES.map(headingOnly);
  return (await import('./index.js')).commands;
}

function headingOnly(name: string): CommandModule {
  return {
    ...COMMAND_HEADINGS[name as keyof typeof COMMAND_HEADINGS],
    handler: () => {
      throw new Error(`fhirseed ${name}: ran with its heading alone (commandsFor found no command named in the arguments)`);
    },
  };
}

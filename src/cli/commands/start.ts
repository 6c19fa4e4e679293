import { existsSync, readdirSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import type { CommandContext } from '../run.js';
import { generateCommand } from './generate.js';
import { serveOptions, serveUntilStopped, type ServeArgs } from './serve.js';

interface StartArgs extends Omit<ServeArgs, 'dir'> {
  out: string;
  profile: string;
  members?: number;
  seed?: number;
}

/**
 * `npm start`: a working sandbox in one command. Generates the profile's population into --out
 * when that directory is missing or empty (an existing population is served as it is), then serves it.
 */
export const startCommand: CommandModule<CommandContext, StartArgs> = {
  command: 'start',
  describe: 'Generate the default population into --out if it is empty, then serve it as a FHIR sandbox until Ctrl-C',
  builder: (yargs: Argv<CommandContext>) =>
    serveOptions(
      yargs
        .option('out', { alias: 'o', type: 'string', default: 'output', describe: 'Population directory: generated into when missing or empty, then served' })
        .option('profile', { alias: 'p', type: 'string', default: 'default', describe: 'Profile to generate from: a name in profiles/ or a YAML path' })
        .option('members', { alias: 'n', type: 'number', describe: 'Override the profile member count (generation only)' })
        .option('seed', { alias: 's', type: 'number', describe: 'Override the profile seed (generation only)' }),
    ) as unknown as Argv<StartArgs>,
  handler: async (argv) => {
    if (isEmpty(argv.out)) {
      argv.io.stdout(`fhirseed: ${argv.out} is empty; generating the '${argv.profile}' population into it\n`);
      const generateArgs = {
        io: argv.io, result: argv.result, _: [], $0: argv.$0,
        profile: argv.profile, members: argv.members, seed: argv.seed, out: argv.out, format: 'bundles,ndjson', 'us-core': '6.1.0' as const, usCore: '6.1.0' as const,
      };
      await generateCommand.handler(generateArgs as Parameters<typeof generateCommand.handler>[0]);
    } else {
      argv.io.stdout(`fhirseed: serving the population already in ${argv.out} (empty it to generate afresh)\n`);
    }
    await serveUntilStopped(argv, argv.out);
  },
};

function isEmpty(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

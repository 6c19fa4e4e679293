import type { Argv, CommandModule } from 'yargs';
import { outputState } from '../../output/complete.js';
import { UserError } from '../../util/errors.js';
import type { CommandContext } from '../run.js';
import { generateOptions, runGenerate, type GenerateArgs } from './generate.js';
import { assertServePortFree, serveOptions, serveUntilStopped, type ServeArgs } from './serve.js';

type StartArgs = Omit<ServeArgs, 'dir'> & GenerateArgs;

/**
 * `npm start`: a working sandbox in one command. Generates the profile's population into --out
 * (with every `generate` option) when that directory is missing, empty, or an fhirseed output
 * without a complete manifest (a run that was cut short); a complete population is served as it is;
 * a directory holding other files is refused (exit 2). Then serves it until Ctrl-C.
 */
export const startCommand: CommandModule<CommandContext, StartArgs> = {
  command: 'start',
  describe: 'Generate a population into --out unless it holds a complete one, then serve it as a FHIR sandbox until Ctrl-C',
  builder: (yargs: Argv<CommandContext>) =>
    serveOptions(
      generateOptions(yargs, 'Population directory: generated into when missing, empty or incomplete, then served'),
    ) as unknown as Argv<StartArgs>,
  handler: async (argv) => {
    const state = outputState(argv.out);
    if (state.kind === 'foreign') {
      const shown = state.files.slice(0, 3).join(', ') + (state.files.length > 3 ? ', …' : '');
      throw new UserError(`${argv.out} holds files fhirseed did not write (${shown}); give an empty or fhirseed --out directory (or serve it with fhirseed serve)`);
    }
    // A port in use is told now, not after minutes of generating.
    await assertServePortFree(argv);
    if (state.kind === 'complete') {
      argv.io.stdout(`fhirseed: serving the population already in ${argv.out} (empty it to generate afresh)\n`);
    } else {
      const why = state.kind === 'empty' ? 'is empty' : `holds an incomplete population (${state.reason})`;
      argv.io.stdout(`fhirseed: ${argv.out} ${why}; generating the '${argv.profile}' population into it\n`);
      await runGenerate(argv);
    }
    await serveUntilStopped(argv, argv.out);
  },
};

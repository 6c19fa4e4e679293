import type { Argv, CommandModule } from 'yargs';
import { loadCodeMaps } from '../../codemaps/load.js';
import { writeMappingGuide } from '../../guide/index.js';
import { UserError } from '../../util/errors.js';
import type { CommandContext } from '../run.js';

interface MappingGuideArgs extends CommandContext {
  out: string;
}

export const mappingGuideCommand: CommandModule<CommandContext, MappingGuideArgs> = {
  command: 'mapping-guide',
  describe: 'Write the code-set mapping guide (Markdown and a self-contained HTML page) from code-maps/',
  builder: (yargs: Argv<CommandContext>) =>
    yargs.option('out', { alias: 'o', type: 'string', default: '.', describe: 'Directory for mapping-guide.md and mapping-guide.html (made when missing; its parent must exist)' }) as unknown as Argv<MappingGuideArgs>,
  handler: (argv) => {
    if (argv.out.trim() === '') throw new UserError("--out '': name a directory");
    const files = writeMappingGuide(loadCodeMaps(), argv.out);
    argv.io.stdout(`fhirseed: wrote the code-set mapping guide to ${files.markdown} and ${files.html}\n`);
  },
};

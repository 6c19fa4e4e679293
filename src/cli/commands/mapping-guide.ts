import { statSync, type Stats } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { loadCodeMaps } from '../../codemaps/load.js';
import { writeMappingGuide } from '../../guide/index.js';
import { UserError } from '../../util/errors.js';
import type { CommandContext } from '../run.js';

interface MappingGuideArgs extends CommandContext {
  out: string;
}

export const mappingGuideCommand: CommandModule<CommandContext, MappingGuideArgs> = {
  ...COMMAND_HEADINGS['mapping-guide'],
  builder: (yargs: Argv<CommandContext>) =>
    yargs.option('out', { alias: 'o', type: 'string', default: '.', describe: 'Directory for mapping-guide.md and mapping-guide.html (made when missing; its parent must exist)' }) as unknown as Argv<MappingGuideArgs>,
  handler: (argv) => {
    if (argv.out.trim() === '') throw new UserError("--out '': name a directory");
    assertOutDirectory(argv.out);
    const files = writeMappingGuide(loadCodeMaps(), argv.out);
    argv.io.stdout(`fhirseed: wrote the code-set mapping guide to ${files.markdown} and ${files.html}\n`);
  },
};

/**
 * `--out` names the directory the two files go in: a file there (`--out guide/mapping-guide.md` after a first run) or
 * a missing path ending in .md or .html (a file meant, not a directory to make) is one line, exit 2 (was the bare
 * `cannot write (ENOTDIR)`, or a directory named mapping-guide.md).
 */
function assertOutDirectory(out: string): void {
  let stat: Stats | undefined;
  try {
    stat = statSync(out);
  } catch {
    // missing, or not to be read: the write says what is wrong
  }
  const meant = stat ? !stat.isDirectory() : /\.(md|html?)$/i.test(out);
  if (meant) throw new UserError(`--out ${out}: ${stat ? 'is a file' : 'names a file'}; --out is the directory that gets mapping-guide.md and mapping-guide.html (e.g. --out guide)`);
}

import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { detailedReport, formatReport } from '../../report/index.js';
import { checkWritable, writePage } from '../../report/html/write.js';
import { assertDirectoryOption } from '../../util/directory-option.js';
import { UserError } from '../../util/errors.js';
import { packagesDirNote } from '../../validate/package-sources.js';
import type { CommandContext } from '../run.js';
import { plural } from '../../util/plural.js';

/** Repeats that differ from their first copy told one line each, up to this many. */
const SHOWN_REPEATS = 10;

interface ReportArgs extends CommandContext {
  dir: string;
  json: boolean;
  targets?: string;
  html?: string;
  validation?: string;
  validate: boolean;
  packages?: string;
}

export const reportCommand: CommandModule<CommandContext, ReportArgs> = {
  ...COMMAND_HEADINGS.report,
  builder: (yargs: Argv<CommandContext>) =>
    yargs
      .positional('dir', { type: 'string', demandOption: true, describe: 'fhirseed output, or any directory (or file) of NDJSON and Bundles' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the report as one JSON document' })
      .option('targets', { type: 'string', describe: 'A targets file (YAML or JSON) replacing the built-in targets' })
      .option('html', { type: 'string', describe: 'Also write a self-contained HTML page with charts to FILE' })
      .option('validation', { type: 'string', describe: 'With --html: a `fhirseed validate --json` output file, for must-support coverage and errors' })
      .option('validate', { type: 'boolean', default: false, describe: 'With --html: validate the data first and show coverage and errors' })
      .option('packages', { type: 'string', describe: 'With --validate: directory of FHIR package .tgz files or unpacked folders (as validate --packages)' }) as unknown as Argv<ReportArgs>,
  handler: async (argv) => {
    if ((argv.validation !== undefined || argv.validate) && argv.html === undefined) throw new UserError(`--${argv.validate ? 'validate' : 'validation'} goes with --html FILE`);
    if (argv.validation !== undefined && argv.validate) throw new UserError('give --validation FILE or --validate, not both');
    if (argv.html !== undefined) checkWritable(argv.html);
    if (argv.packages) assertDirectoryOption('--packages', argv.packages); // as serve and validate say it
    const packagesNote = argv.validate ? packagesDirNote(argv.packages) : undefined;
    if (packagesNote) argv.io.stderr(`fhirseed: note: ${packagesNote}\n`);
    // The page's charts (Observable Plot, linkedom) and the validator are loaded only for --html: `report DIR` alone
    // starts in about a third of the CPU time.
    const html = argv.html !== undefined ? await import('../../report/html/index.js') : undefined;
    const validationFromFile = argv.validation !== undefined && html ? html.loadValidation(argv.validation) : undefined;
    const result = await detailedReport(argv.dir, argv.targets);
    if (validationFromFile) html!.checkValidationOf(validationFromFile, argv.validation!, argv.dir, Object.values(result.report.resources).reduce((a, b) => a + b, 0));
    // As validate tells these (it validates the first copy and reports the rest): the first copy is counted.
    for (const line of result.repeats.slice(0, SHOWN_REPEATS)) argv.io.stderr(`fhirseed: ${line}\n`);
    const more = result.repeats.length - SHOWN_REPEATS;
    if (more > 0) argv.io.stderr(`fhirseed: … and ${more} more ${plural(more, 'repeat')} that ${more === 1 ? 'differs' : 'differ'} from the copy counted\n`);
    if (argv.html !== undefined && html) {
      const validation = validationFromFile ?? (argv.validate ? await html.validateInline(argv.dir, argv.packages) : undefined);
      const page = html.renderHtmlReport(result, validation);
      writePage(argv.html, page);
      if (!argv.json) {
        argv.io.stdout(`fhirseed: wrote the HTML report of ${result.report.members.total} ${plural(result.report.members.total, 'member')} to ${argv.html} (${Math.ceil(Buffer.byteLength(page) / 1024)} KiB)\n`);
        return;
      }
    }
    argv.io.stdout(argv.json ? `${JSON.stringify(result.report, null, 2)}\n` : formatReport(result.report));
  },
};

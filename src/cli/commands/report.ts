import type { Argv, CommandModule } from 'yargs';
import { formatReport, report } from '../../report/index.js';
import type { CommandContext } from '../run.js';

interface ReportArgs extends CommandContext {
  dir: string;
  json: boolean;
  targets?: string;
}

export const reportCommand: CommandModule<CommandContext, ReportArgs> = {
  command: 'report <dir>',
  describe: 'Measure a population (NDJSON or Bundles) against realism targets: utilization, cost, prevalence, per book',
  builder: (yargs: Argv<CommandContext>) =>
    yargs
      .positional('dir', { type: 'string', demandOption: true, describe: 'fhirseed output, or any directory (or file) of NDJSON and Bundles' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the report as one JSON document' })
      .option('targets', { type: 'string', describe: 'A targets file (YAML or JSON) replacing the built-in targets' }) as unknown as Argv<ReportArgs>,
  handler: async (argv) => {
    const result = await report(argv.dir, argv.targets);
    argv.io.stdout(argv.json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result));
  },
};

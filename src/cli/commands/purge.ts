import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { purge, PURGE_CLI_NAMES } from '../../seed/purge.js';
import { formatPurgePlan, formatPurgeReport } from '../../seed/report.js';
import { checkRunId } from '../../util/run-id.js';
import { progressReporter } from '../progress.js';
import type { CommandContext } from '../run.js';
import { connectionOptions, interruptible, withServerOptions, type ServerArgs } from './server-options.js';

interface PurgeArgs extends ServerArgs {
  run?: string;
  'all-fhirseed': boolean;
  'dry-run': boolean;
}

export const purgeCommand: CommandModule<CommandContext, PurgeArgs> = {
  ...COMMAND_HEADINGS.purge,
  builder: (yargs: Argv<CommandContext>) =>
    withServerOptions(yargs)
      .option('run', { type: 'string', describe: 'The run id whose resources to delete' })
      .option('all-fhirseed', { type: 'boolean', default: false, describe: 'Delete resources of every fhirseed run' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'List what would be deleted; delete nothing' }) as unknown as Argv<PurgeArgs>,
  handler: async (argv) => {
    const { signal, release } = interruptible(argv.io);
    // Without a terminal, a line at every tenth from the first, as purge has always printed (no quiet start).
    const progress = progressReporter(argv.io, 'deleted', { label: 'purge: deleted', quietMs: 0 });
    try {
      const report = await purge({
        ...connectionOptions(argv, signal),
        runId: argv.run === undefined ? undefined : checkRunId(argv.run, '--run'),
        allFhirseed: argv['all-fhirseed'],
        dryRun: argv['dry-run'],
        onPlan: (plan) => argv.io.stdout(formatPurgePlan(plan, argv['dry-run'], argv.run)),
        onProgress: progress.update,
      }, PURGE_CLI_NAMES);
      progress.stop();
      if (!argv['dry-run']) argv.io.stdout(formatPurgeReport(report, argv.run));
      if (report.failed.length || report.remaining.length) argv.result.exitCode = 1;
    } finally {
      progress.stop();
      release();
    }
  },
};

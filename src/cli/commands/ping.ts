import type { Argv, CommandModule } from 'yargs';
import { ping } from '../../seed/ping.js';
import { formatPingTable } from '../../seed/report.js';
import { positiveInteger } from '../../seed/options.js';
import type { CommandContext } from '../run.js';
import { connectionOptions, withServerOptions, type ServerArgs } from './server-options.js';

interface PingArgs extends ServerArgs {
  accounts?: string;
  members: number;
}

export const pingCommand: CommandModule<CommandContext, PingArgs> = {
  command: 'ping',
  describe: 'Pre-production connection test: metadata, FHIR version, SMART configuration, profiles, test members by search',
  builder: (yargs: Argv<CommandContext>) =>
    withServerOptions(yargs)
      .option('accounts', { type: 'string', describe: 'test-accounts.json of a seeded run: search for those members' })
      .option('members', { type: 'number', default: 5, describe: 'How many test members to search for' }) as unknown as Argv<PingArgs>,
  handler: async (argv) => {
    // ping only reads, so it needs no --production; the flag is accepted for symmetry.
    const checks = await ping({ ...connectionOptions(argv), accounts: argv.accounts, members: positiveInteger('--members', argv.members) });
    argv.io.stdout(formatPingTable(checks));
    if (checks.some((c) => !c.ok)) argv.result.exitCode = 1;
  },
};

import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { ping, pingResult } from '../../seed/ping.js';
import { formatPingTable } from '../../seed/report.js';
import { positiveInteger } from '../../seed/options.js';
import type { CommandContext } from '../run.js';
import { connectionOptions, withServerOptions, type ServerArgs } from './server-options.js';

interface PingArgs extends ServerArgs {
  accounts?: string;
  members: number;
  'cert-warn-days': number;
  json: boolean;
}

export const pingCommand: CommandModule<CommandContext, PingArgs> = {
  ...COMMAND_HEADINGS.ping,
  builder: (yargs: Argv<CommandContext>) =>
    withServerOptions(yargs)
      .option('accounts', { type: 'string', describe: 'test-accounts.json of a seeded run: search for those members' })
      .option('members', { type: 'number', default: 5, describe: 'How many test members to search for' })
      .option('cert-warn-days', { type: 'number', default: 30, describe: "WARN when the server's TLS certificate expires within this many days" })
      .option('json', { type: 'boolean', default: false, describe: 'Print the checks as JSON (for CI) instead of a table' }) as unknown as Argv<PingArgs>,
  handler: async (argv) => {
    // ping only reads, so it needs no --production; the flag is accepted for symmetry.
    const certWarnDays = positiveInteger('--cert-warn-days', argv['cert-warn-days']);
    const checks = await ping({ ...connectionOptions(argv), accounts: argv.accounts, members: positiveInteger('--members', argv.members), certWarnDays });
    const results = checks.map((c) => ({ check: c.check, result: pingResult(c), detail: c.detail }));
    argv.io.stdout(argv.json ? `${JSON.stringify({ ok: checks.every((c) => c.ok), checks: results }, null, 2)}\n` : formatPingTable(checks));
    if (checks.some((c) => !c.ok)) argv.result.exitCode = 1;
  },
};

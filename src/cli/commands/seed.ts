import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { IMPORT_MODES, seedImport, type ImportMode } from '../../seed/import.js';
import { formatImportSummary } from '../../seed/import-report.js';
import { formatSeedSummary } from '../../seed/report.js';
import { seed } from '../../seed/seed.js';
import { SEED_MODES, type SeedMode } from '../../seed/send.js';
import { positiveInteger, SEED_CLI_NAMES } from '../../seed/options.js';
import { Interrupted, UserError } from '../../util/errors.js';
import { progressReporter } from '../progress.js';
import type { CommandContext } from '../run.js';
import { connectionOptions, interruptible, withServerOptions, type ServerArgs } from './server-options.js';

interface SeedArgs extends ServerArgs {
  dir: string;
  mode: SeedMode | 'import';
  'import-host'?: string;
  'import-port'?: number;
  'input-base-url'?: string;
  'import-mode'?: ImportMode;
  'bundle-size'?: number;
  'dry-run': boolean;
  resume: boolean;
  'retry-dead-letter': boolean;
  verify: boolean;
  'state-dir'?: string;
}

/** Where the file server of `--mode import` binds when --import-host is not given. */
const DEFAULT_IMPORT_HOST = '127.0.0.1';

/** The options that only `--mode import` reads: with another mode, one line and exit 2 rather than ignored. */
const IMPORT_ONLY = ['import-mode', 'input-base-url', 'import-host', 'import-port'] as const;

export const seedCommand: CommandModule<CommandContext, SeedArgs> = {
  ...COMMAND_HEADINGS.seed,
  builder: (yargs: Argv<CommandContext>) =>
    withServerOptions(yargs)
      .positional('dir', { type: 'string', demandOption: true, describe: 'Output directory of fhirseed generate' })
      .option('mode', {
        choices: [...SEED_MODES, 'import'],
        default: 'transaction' as SeedMode,
        describe: "transaction and batch Bundles of PUTs, one PUT per resource (upsert), or the NDJSON through the server's bulk $import (import)",
      })
      // No yargs defaults for the --mode import options: given with another mode they are refused, not ignored.
      .option('import-host', { type: 'string', describe: `--mode import: the address the seeder's file server binds and puts in the file URLs, as the server will reach it (default ${DEFAULT_IMPORT_HOST})` })
      .option('import-port', { type: 'number', describe: '--mode import: port of that file server (default 0: any free port)' })
      .option('input-base-url', { type: 'string', describe: '--mode import: the NDJSON files are already at URL/<Type>.ndjson (object storage); serve nothing' })
      .option('import-mode', { choices: IMPORT_MODES, describe: "--mode import: Azure Health Data Services' mode parameter (InitialLoad into an empty server, else IncrementalLoad); sends Azure's Parameters form" })
      .option('bundle-size', { type: 'number', describe: 'Entries per bundle (default 100, or less if the server says so)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Show what would be sent; send nothing' })
      .option('resume', { type: 'boolean', default: false, describe: 'Continue an interrupted run from its checkpoint' })
      .option('retry-dead-letter', { type: 'boolean', default: false, describe: 'Send the entries of the dead-letter file again, as the data files hold them now (as stored when no longer there)' })
      .option('verify', { type: 'boolean', default: true, describe: 'Afterwards, compare counts under the run tag with the manifest (--no-verify to skip)' })
      .option('state-dir', { type: 'string', describe: 'Checkpoint and dead-letter files (default DIR/seed-state)' }) as unknown as Argv<SeedArgs>,
  handler: async (argv) => {
    if (argv.resume && argv['retry-dead-letter']) throw new UserError('give --resume or --retry-dead-letter, not both');
    if (argv.mode !== 'import') {
      for (const name of IMPORT_ONLY) {
        if (argv[name] !== undefined) throw new UserError(`--${name} ${argv[name]}: only with --mode import (the bulk $import), not --mode ${argv.mode}`);
      }
    }
    const { signal, release } = interruptible(argv.io);
    const progress = progressReporter(argv.io, 'resources', { label: 'seed: sent', unit: 'resources' });
    const log = connectionOptions(argv).log;
    try {
      if (argv.mode === 'import') {
        if (argv['dry-run'] || argv.resume || argv['retry-dead-letter']) throw new UserError('--mode import sends one $import job: --dry-run, --resume and --retry-dead-letter do not apply');
        const port = argv['import-port'] ?? 0;
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--import-port ${port}: expected a port number 0-65535`);
        if (argv['input-base-url'] !== undefined && !/^https?:\/\/[^\s]+$/.test(argv['input-base-url'])) throw new UserError(`--input-base-url ${argv['input-base-url']}: expected an http(s) URL`);
        const summary = await seedImport({
          ...connectionOptions(argv, signal),
          dir: argv.dir,
          inputBaseUrl: argv['input-base-url'],
          importHost: argv['import-host'] ?? DEFAULT_IMPORT_HOST,
          importPort: port,
          importMode: argv['import-mode'],
          verify: argv.verify,
        });
        argv.io.stdout(formatImportSummary(summary));
        if (!summary.ok) argv.result.exitCode = 1;
        return;
      }
      const summary = await seed({
        ...connectionOptions(argv, signal),
        dir: argv.dir,
        mode: argv.mode as SeedMode,
        bundleSize: positiveInteger('--bundle-size', argv['bundle-size']),
        dryRun: argv['dry-run'],
        resume: argv.resume,
        retryDeadLetter: argv['retry-dead-letter'],
        verify: argv.verify,
        stateDir: argv['state-dir'],
        onProgress: progress.update,
        // Before any progress line: the notes are told before the first request.
        onNote: (line) => argv.io.stderr(`fhirseed: ${line}\n`),
      }, SEED_CLI_NAMES);
      progress.stop();
      argv.io.stdout(formatSeedSummary(summary));
      log?.(`seed finished: sent ${summary.sent}, dead-lettered ${summary.deadLettered}, ok ${summary.ok}`);
      if (!summary.ok) argv.result.exitCode = 1;
    } catch (error) {
      progress.stop();
      // seed() and seedImport() say what an interrupted run left (Interrupted); before either began, nothing was sent.
      if (signal.aborted && !(error instanceof Interrupted)) throw new Interrupted();
      throw error;
    } finally {
      release();
    }
  },
};

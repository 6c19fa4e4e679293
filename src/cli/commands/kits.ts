import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { loadCodeMaps } from '../../codemaps/load.js';
import { formatKitReports } from '../../kits/format.js';
import { defaultKitsDir, KIT_FILES, type KitName } from '../../kits/kit.js';
import { runKits, type KitReport } from '../../kits/run.js';
import { generate } from '../../output/generate.js';
import { loadProfile } from '../../profile/load.js';
import { startServer } from '../../serve/index.js';
import { SERVE_CLI_NAMES } from '../../serve/startup-checks.js';
import { profileLoadOptions } from '../../story/limits.js';
import { UserError } from '../../util/errors.js';
import { wholeNumberOption } from '../numbers.js';
import type { CommandContext } from '../run.js';
import { resolveProfile } from './generate.js';
import { plural } from '../../util/plural.js';

export interface KitsArgs extends CommandContext {
  server?: string;
  patient?: string[];
  accounts?: string;
  kit?: KitName[];
  kits?: string;
  token?: string;
  profile: string;
  members: string;
  packages?: string;
  all: boolean;
}

export const kitsCommand: CommandModule<CommandContext, KitsArgs> = {
  ...COMMAND_HEADINGS.kits,
  builder: (yargs: Argv<CommandContext>) =>
    yargs
      .option('server', { type: 'string', describe: 'FHIR base URL to test (default: an embedded sandbox serving a freshly generated population)' })
      .option('patient', { type: 'string', array: true, describe: 'Patient id the kits search for (repeatable; with --server, this or --accounts is required)' })
      .option('accounts', { type: 'string', describe: "test-accounts.json whose members' Patient ids the kits search for" })
      .option('kit', { choices: Object.keys(KIT_FILES) as KitName[], array: true, describe: 'Which kit (default both)' })
      .option('kits', { type: 'string', describe: 'Directory of the kit data (default $FHIRSEED_KITS, else ../shared/inferno-kits beside fhirseed)' })
      .option('token', { type: 'string', describe: 'Bearer token sent with every request (or $FHIRSEED_KITS_TOKEN)' })
      .option('profile', { type: 'string', default: 'default', describe: 'Embedded sandbox: profile to generate' })
      .option('members', { type: 'string', default: '25', describe: 'Embedded sandbox: members to generate' })
      .option('packages', { type: 'string', describe: 'Embedded sandbox: IG packages directory (default $FHIRSEED_PACKAGES, else ~/.fhir/packages)' })
      .option('all', { type: 'boolean', default: false, describe: 'List passing tests too' }) as unknown as Argv<KitsArgs>,
  handler: async (argv) => {
    const reports = await kitsRun(argv);
    argv.io.stdout(formatKitReports(reports, argv.all));
    const bad = reports.flatMap((r) => r.results).filter((t) => t.outcome === 'fail' || (t.outcome === 'skip' && !t.optional));
    if (bad.length) argv.result.exitCode = 1;
  },
};

/** Runs the kits against --server, or against an embedded sandbox of a fresh population (removed afterwards). */
export async function kitsRun(argv: Omit<KitsArgs, 'io' | 'result'> & Partial<CommandContext>): Promise<KitReport[]> {
  const kitsDir = argv.kits ?? defaultKitsDir();
  const token = argv.token ?? process.env.FHIRSEED_KITS_TOKEN;
  if (argv.server) {
    const patients = argv.patient?.length ? argv.patient : argv.accounts ? accountPatients(argv.accounts) : [];
    if (!patients.length) throw new UserError('kits --server: give the Patient ids to test with --patient ID (repeatable) or --accounts test-accounts.json');
    return runKits({ server: argv.server, patients, kitsDir, kits: argv.kit, token });
  }
  const members = wholeNumberOption('--members', argv.members, { min: 1, max: 10_000 })!;
  const dir = mkdtempSync(join(tmpdir(), 'fhirseed-kits-'));
  try {
    const codeMaps = loadCodeMaps();
    const profile = loadProfile(resolveProfile(argv.profile), profileLoadOptions(codeMaps));
    profile.members = members;
    argv.io?.stderr(`kits: generating ${members} ${plural(members, 'member')} (${argv.profile}) and serving them\n`);
    generate({ profile, out: dir, codeMaps });
    const server = await startServer({ dir, port: 0, packagesDir: argv.packages }, SERVE_CLI_NAMES);
    try {
      // Without the IG packages the sandbox lacks CARIN's search parameters and the profiles: the replay would only show that.
      if (server.notes.length) throw new UserError(`kits: the embedded sandbox needs the IG packages (--packages DIR or $FHIRSEED_PACKAGES): ${server.notes.join('\n  ')}`);
      const patients = argv.patient?.length ? argv.patient : accountPatients(argv.accounts ?? join(dir, 'test-accounts.json'));
      return await runKits({ server: server.url, patients, kitsDir, kits: argv.kit, token });
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function accountPatients(file: string): string[] {
  let accounts: unknown;
  try {
    accounts = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read the test accounts ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const ids = Array.isArray(accounts) ? accounts.map((a: { patientId?: unknown }) => a?.patientId).filter((id): id is string => typeof id === 'string') : [];
  if (!ids.length) throw new UserError(`${file} has no test accounts with a patientId`);
  return ids;
}

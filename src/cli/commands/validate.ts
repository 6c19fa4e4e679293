import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { OWN_ENTRY } from '../../output/target.js';
import { escapeJsonControls } from '../../util/control-chars.js';
import { assertDirectoryOption } from '../../util/directory-option.js';
import { UserError } from '../../util/errors.js';
import { keepHeapTight } from '../../util/heap.js';
import { allocationSitePretenuring } from '../../validate/pretenuring.js';
import { igsFromManifests } from '../../validate/manifest-igs.js';
import { packagesDirNote } from '../../validate/package-sources.js';
import { parseIg } from '../../validate/packages.js';
import { inputFiles } from '../../validate/read.js';
import { coveragePackagesOf, scanFiles, validateScanned } from '../../validate/stream.js';
import { buildReport, formatSummary, skippedFilesNote } from '../../validate/summary.js';
import { createValidator, DEFAULT_IGS, VALIDATOR_CLI_NAMES } from '../../validate/validator.js';
import { cappedJobs, jobsNote } from '../numbers.js';
import { progressReporter } from '../progress.js';
import type { CommandContext } from '../run.js';

interface ValidateArgs extends CommandContext {
  paths: string[];
  ig?: string[];
  packages?: string;
  json: boolean;
  'max-errors': number;
  jobs: number;
}

export const validateCommand: CommandModule<CommandContext, ValidateArgs> = {
  ...COMMAND_HEADINGS.validate,
  builder: (yargs: Argv<CommandContext>) =>
    yargs
      .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'Files or directories to read' })
      .option('ig', {
        type: 'string',
        array: true,
        describe: `IG packages to load and report coverage for (default: the igs in fhirseed output's manifest.json, else ${DEFAULT_IGS.join(', ')})`,
      })
      .option('packages', { type: 'string', describe: 'Directory of FHIR package .tgz files or unpacked folders (looked in before $FHIRSEED_PACKAGES and ~/.fhir/packages)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON report instead of the summary' })
      .option('max-errors', { type: 'number', default: 50, describe: 'How many issues to list' })
      .option('jobs', { type: 'number', default: 1, describe: 'Worker threads validating at once (each loads the packages; at most the cores: more is lowered, with a note); findings in the same order whatever N' }) as unknown as Argv<ValidateArgs>,
  handler: async (argv) => {
    const maxErrors = argv['max-errors'];
    if (!Number.isInteger(maxErrors) || maxErrors < 0) throw new UserError(`--max-errors ${maxErrors}: expected a whole number ≥ 0`);
    if (!Number.isInteger(argv.jobs) || argv.jobs < 1) throw new UserError(`--jobs ${argv.jobs}: expected a whole number ≥ 1`);
    argv.ig?.forEach((ig) => parseIg(ig));
    // As serve says it: a --packages file is not looked past to $FHIRSEED_PACKAGES without a word.
    if (argv.packages) assertDirectoryOption('--packages', argv.packages);
    const packagesNote = packagesDirNote(argv.packages);
    if (packagesNote) argv.io.stderr(`fhirseed: note: ${packagesNote}\n`);
    keepHeapTight();
    allocationSitePretenuring(false); // one GC mode, the fast one, not three (src/validate/pretenuring.ts)
    // Reading first (a pass that keeps only keys): a wrong path is told at once, before the packages load.
    const read = scanFiles(inputFiles(argv.paths));
    if (!read.resources && !read.problems.length) {
      throw new UserError(`${argv.paths.join(', ')}: no FHIR data (no .json file holding a resource or Bundle, no .ndjson file with resources)`);
    }
    const fromManifest = argv.ig?.length ? undefined : igsFromManifests(argv.paths);
    const igs = argv.ig?.length ? argv.ig : (fromManifest?.igs ?? DEFAULT_IGS);
    const validator = await createValidator({ igs, packagesDir: argv.packages, slim: true }, VALIDATOR_CLI_NAMES);
    const jobs = cappedJobs(argv.jobs, availableParallelism());
    if (jobs < argv.jobs) argv.io.stderr(jobsNote(argv.jobs, jobs));
    const progress = progressReporter(argv.io, 'resources', { label: 'validate: checked', unit: 'resources' });
    const coveragePackages = coveragePackagesOf(validator, igs);
    let result;
    try {
      result = await validateScanned(read, validator, { coveragePackages, jobs, igs, packagesDir: argv.packages, onProgress: progress.update });
    } finally {
      progress.stop();
    }
    const { issues, coverage: coverageReports } = result;
    const notes = [...validator.warnings];
    if (fromManifest) notes.unshift(`IGs from ${fromManifest.manifests.join(', ')}: ${fromManifest.igs.join(', ')} (choose others with --ig)`);
    for (const [key, reason] of result.skippedInvariants) notes.push(`invariant ${key} not evaluated: ${reason}`);
    if (read.duplicates) notes.push(`${read.duplicates} ${read.duplicates === 1 ? 'resource seen more than once (e.g. in bundles/ and ndjson/) was' : 'resources seen more than once (e.g. in bundles/ and ndjson/) were'} validated once`);
    // fhirseed's own files beside its data (the manifest the IGs were read from, the test accounts, the brands) are
    // no news to the user who generated it; the JSON report still lists them.
    const outputs = new Set((fromManifest?.manifests ?? []).map((m) => dirname(m)));
    const unexpected = read.skippedFiles.filter((f) => !(outputs.has(dirname(resolve(f))) && OWN_ENTRY.test(basename(f))));
    if (unexpected.length) notes.push(skippedFilesNote(unexpected));
    const report = buildReport(read, issues, coverageReports, maxErrors, notes);
    argv.io.stdout(argv.json ? `${escapeJsonControls(JSON.stringify(report, null, 2))}\n` : formatSummary(report));
    if (report.errors > 0) argv.result.exitCode = 1;
  },
};

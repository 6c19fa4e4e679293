import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadCodeMaps } from '../../codemaps/load.js';
import { writeArchive } from '../../output/archive.js';
import { generate } from '../../output/generate.js';
import type { OutputFormat, Shard } from '../../output/writer.js';
import { loadProfile } from '../../profile/load.js';
import { profileLoadOptions } from '../../story/limits.js';
import { UserError } from '../../util/errors.js';
import { packageRoot } from '../../util/paths.js';
import { progressReporter } from '../progress.js';
import type { CommandContext } from '../run.js';

interface GenerateArgs extends CommandContext {
  profile: string;
  members?: number;
  seed?: number;
  out: string;
  shard?: string;
  format: string;
  'run-id'?: string;
  now?: string;
  'us-core'?: '6.1.0' | '3.1.1';
  archive?: string;
}

export const generateCommand: CommandModule<CommandContext, GenerateArgs> = {
  command: 'generate',
  describe: 'Generate a synthetic population from a profile: bundles, NDJSON, manifest, test accounts',
  builder: (yargs: Argv<CommandContext>) =>
    yargs
      .option('profile', { alias: 'p', type: 'string', default: 'default', describe: 'Profile name in profiles/ or a path to a YAML profile' })
      .option('members', { alias: 'n', type: 'number', describe: 'Override the profile member count' })
      .option('seed', { alias: 's', type: 'number', describe: 'Override the profile seed' })
      .option('out', { alias: 'o', type: 'string', default: 'output', describe: 'Output directory' })
      .option('shard', { type: 'string', describe: 'Generate only shard i of N (i/N), e.g. 2/4' })
      .option('format', { type: 'string', default: 'bundles,ndjson', describe: 'Comma-separated: bundles, ndjson' })
      .option('run-id', { type: 'string', describe: 'Run id in every resource tag (default <profile>-<seed>)' })
      .option('now', { type: 'string', describe: 'The run\'s "now", YYYY-MM-DD (default: profile period end)' })
      .option('archive', { type: 'string', describe: 'Also pack the output into this .tar.gz, ready for developers to download' })
      .option('us-core', { choices: ['6.1.0', '3.1.1'] as const, describe: "US Core version of the clinical layer (default: the profile's usCore, else 6.1.0)" }),
  handler: (argv) => {
    const codeMaps = loadCodeMaps();
    const file = resolveProfile(argv.profile);
    const profile = loadProfile(file, profileLoadOptions(codeMaps));
    if (argv.members !== undefined) {
      if (!Number.isInteger(argv.members) || argv.members < 1) throw new UserError(`--members ${argv.members}: expected a whole number ≥ 1`);
      profile.members = argv.members;
    }
    if (argv.seed !== undefined) {
      if (!Number.isInteger(argv.seed)) throw new UserError(`--seed ${argv.seed}: expected a whole number`);
      profile.seed = argv.seed;
    }
    if (argv.now !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(argv.now)) throw new UserError(`--now ${argv.now}: expected YYYY-MM-DD`);
    const progress = progressReporter(argv.io, 'members');
    const manifest = generate({
      profile,
      profileFile: argv.profile,
      out: argv.out,
      formats: parseFormats(argv.format),
      shard: argv.shard === undefined ? undefined : parseShard(argv.shard),
      runId: argv['run-id'],
      now: argv.now,
      usCoreVersion: argv['us-core'],
      codeMaps,
      onProgress: progress.update,
    });
    progress.stop();
    const total = Object.values(manifest.counts.byType).reduce((a, b) => a + b, 0);
    argv.io.stdout(
      `fhirseed: wrote ${manifest.members.written} members, ${total} resources to ${argv.out} (profile ${profile.name}, seed ${profile.seed}, run ${manifest.runId})\n`,
    );
    if (argv.archive) {
      const packed = writeArchive(argv.out, argv.archive, `fhirseed-${manifest.runId}`);
      argv.io.stdout(`fhirseed: packed ${packed.files} files into ${argv.archive} (${(packed.bytes / 1024).toFixed(0)} KiB)\n`);
    }
  },
};

export function resolveProfile(name: string): string {
  if (existsSync(name)) return resolve(name);
  const shipped = join(packageRoot(), 'profiles', name.endsWith('.yaml') ? name : `${name}.yaml`);
  if (existsSync(shipped)) return shipped;
  throw new UserError(`profile '${name}' not found (looked for the file ${resolve(name)} and ${shipped})`);
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
  if (!shard || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw new UserError(`--shard ${text}: expected i/N with 1 ≤ i ≤ N, e.g. 2/4`);
  }
  return shard;
}

function parseFormats(text: string): OutputFormat[] {
  const formats = text.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) {
    if (f !== 'bundles' && f !== 'ndjson') throw new UserError(`--format ${text}: unknown format '${f}' (known: bundles, ndjson)`);
  }
  if (!formats.length) throw new UserError('--format: name at least one of bundles, ndjson');
  return formats as OutputFormat[];
}

import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { basename, join } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { outputState } from '../../output/complete.js';
import { shardSuffix, type Shard } from '../../output/writer.js';
import { UserError } from '../../util/errors.js';
import type { CommandContext } from '../run.js';
import { wholeNumberOption } from '../numbers.js';
import { generateOptions, parseShard, resolveProfile, runGenerate, type GenerateArgs } from './generate.js';
import { plural } from '../../util/plural.js';
import { checkBeforeGenerating, serveOptions, serveUntilStopped, type ServeArgs } from './serve.js';

type StartArgs = Omit<ServeArgs, 'dir'> & GenerateArgs;

/**
 * `npm start`: a working sandbox in one command. Generates the profile's population into --out
 * (with every `generate` option) when that directory is missing, empty, or an fhirseed output
 * without a complete manifest (a run that was cut short, a file cut short: made again with the profile, members and
 * seed its readable manifest records, where the command line gives none; takeFromManifest); a complete population is
 * served as it is, saying so in one line when --profile, --members or --seed ask for another population — with
 * --shard i/N, that shard is what must be complete; without --shard, a directory
 * holding only some shards of a run is refused (exit 2) rather than wiped, as is a directory holding
 * other files. Then serves it until Ctrl-C (exit 130).
 */
export const startCommand: CommandModule<CommandContext, StartArgs> = {
  ...COMMAND_HEADINGS.start,
  builder: (yargs: Argv<CommandContext>) =>
    serveOptions(
      generateOptions(yargs, 'Population directory: generated into when missing, empty or incomplete, then served')
        // No default value here: a --profile not given does not ask for another population than --out holds (README).
        .default('profile', undefined, 'default'),
    ) as unknown as Argv<StartArgs>,
  handler: async (argv) => {
    const profileGiven = argv.profile !== undefined;
    argv.profile ??= 'default';
    const shard = argv.shard === undefined ? undefined : parseShard(argv.shard);
    // As generate says it (a file there was ENOTDIR from outputState's listing, exit 70).
    if (existsSync(argv.out) && !statSync(argv.out).isDirectory()) throw new UserError(`--out ${argv.out}: is a file, not a directory`);
    const state = outputState(argv.out, shard);
    if (state.kind === 'foreign') {
      const shown = state.files.slice(0, 3).join(', ') + (state.files.length > 3 ? ', …' : '');
      throw new UserError(`${argv.out} holds files fhirseed did not write (${shown}); give an empty or fhirseed --out directory (or serve it with fhirseed serve)`);
    }
    if (state.kind === 'partial-shards') {
      throw new UserError(`${argv.out} holds part of a sharded run (${state.reason}); give --shard i/N to add or serve a shard, serve it as it is with fhirseed serve ${argv.out}, or give another --out`);
    }
    // A port in use, or the store served by another serve, is told now, not after minutes of generating.
    await checkBeforeGenerating(argv, argv.out);
    // An incomplete population is made again as its manifest says, where the command line does not say otherwise.
    const recorded = state.kind === 'incomplete' ? takeFromManifest(argv, shard, profileGiven) : '';
    const what = `${shard && shard.count > 1 ? `shard ${shard.index}/${shard.count} of ` : ''}the '${argv.profile}' population`;
    if (state.kind === 'complete') {
      // A note that options did not apply goes to stderr, as every note; the plain "serving" line to stdout.
      const note = servedAsItIs(argv, shard, profileGiven);
      if (note) argv.io.stderr(`fhirseed: ${note}\n`);
      else argv.io.stdout(`fhirseed: serving ${profileGiven ? what : heldWhat(argv.out, shard)} already in ${argv.out} (empty it to generate afresh)\n`);
    } else {
      const why = state.kind === 'missing' ? 'does not exist' : state.kind === 'empty' ? 'holds no population' : `holds an incomplete population (${state.reason})`;
      argv.io.stdout(`fhirseed: ${argv.out} ${why}; generating ${what} into it${recorded}\n`);
      await runGenerate(argv);
    }
    await serveUntilStopped(argv, argv.out);
  },
};

/**
 * For an incomplete --out whose manifest (the shard's with --shard i/N) is readable: sets the profile, members and seed
 * the command line did not give (`profileGiven`: --profile was) to the manifest's, so that `start` makes again the
 * population that was there (a cut-short dental output was once replaced by 25 default members), and returns
 * what it took for start's line: ` (profile dental, 2 members, seed 7, as its manifest.json records)`. The profile is
 * the manifest's `profileFile` as given, else its `profile` name, whichever is found now (resolveProfile); when neither
 * is, nothing is taken and the line says so. Empty when the manifest is unreadable or nothing was taken.
 */
function takeFromManifest(argv: StartArgs, shard: Shard | undefined, profileGiven: boolean): string {
  let manifest: ReturnType<typeof readManifest>;
  try {
    manifest = readManifest(argv.out, shard);
  } catch {
    return '';
  }
  const name = manifestName(shard);
  const taken: string[] = [];
  if (!profileGiven) {
    const named = [manifest.profileFile, manifest.profile].filter((p): p is string => typeof p === 'string' && p !== '');
    const found = named.find((p) => {
      try {
        resolveProfile(p);
        return true;
      } catch {
        return false;
      }
    });
    if (named.length && found === undefined) return ` (its ${name} names profile '${named[0]}', which is not found)`;
    if (found !== undefined) {
      argv.profile = found;
      taken.push(`profile ${found}`);
    }
  }
  const total = manifest.members?.total;
  if (argv.members === undefined && Number.isInteger(total) && total! >= 1) {
    argv.members = String(total);
    taken.push(`${total} ${plural(total!, 'member')}`);
  }
  if (argv.seed === undefined && Number.isInteger(manifest.seed)) {
    argv.seed = String(manifest.seed);
    taken.push(`seed ${manifest.seed}`);
  }
  return taken.length ? ` (${taken.join(', ')}, as its ${name} records)` : '';
}

/** `the 'commercial' population` (with its shard): what a complete --out holds, by its manifest, when no --profile asks. */
function heldWhat(out: string, shard: Shard | undefined): string {
  const manifest = readManifest(out, shard);
  const name = manifest.profile ?? (manifest.profileFile === undefined ? 'default' : basename(manifest.profileFile).replace(/\.ya?ml$/, ''));
  return `${shard && shard.count > 1 ? `shard ${shard.index}/${shard.count} of ` : ''}the '${name}' population`;
}

/** The manifest's file name (the shard's with --shard i/N), as generate writes it. */
function manifestName(shard: Shard | undefined): string {
  return `manifest${shardSuffix(shard)}.json`;
}

/** The manifest of a complete --out (the shard's with --shard i/N). */
function readManifest(out: string, shard: Shard | undefined): { profile?: string; profileFile?: string; seed?: number; members?: { total?: number } } {
  const name = manifestName(shard);
  return JSON.parse(readFileSync(join(out, name), 'utf8')) as { profile?: string; profileFile?: string; seed?: number; members?: { total?: number } };
}

/**
 * A complete population asked for with other --profile, --members or --seed values given on the command line
 * (`profileGiven`: --profile was; its default asks for nothing) is served as it is (README,
 * `start`): the line saying so (for stderr) names what --out holds and the options that did not apply, e.g. `output already holds
 * 25 members (profile 'default', seed 20260101), not --members 5; serving them as they are (empty output or give
 * another --out to generate with --members 5)`. Undefined when the options match the manifest.
 */
function servedAsItIs(argv: StartArgs, shard: Shard | undefined, profileGiven: boolean): string | undefined {
  const manifest = readManifest(argv.out, shard);
  const profileName = (p: string) => basename(p).replace(/\.ya?ml$/, '');
  const differ: string[] = [];
  if (profileGiven && manifest.profileFile !== undefined && profileName(argv.profile) !== profileName(manifest.profileFile)) differ.push(`--profile ${argv.profile}`);
  const members = wholeNumberOption('--members', argv.members, { min: 1 });
  if (members !== undefined && members !== manifest.members?.total) differ.push(`--members ${members}`);
  const seed = wholeNumberOption('--seed', argv.seed);
  if (seed !== undefined && seed !== manifest.seed) differ.push(`--seed ${seed}`);
  if (!differ.length) return undefined;
  const holds = `${manifest.members?.total ?? '?'} members (profile '${manifest.profile ?? manifest.profileFile}', seed ${manifest.seed})`;
  return `${argv.out} already holds ${holds}, not ${differ.join(', ')}; serving them as they are (empty ${argv.out} or give another --out to generate with ${differ.join(' ')})`;
}

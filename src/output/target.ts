import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmdirSync, readdirSync, renameSync, rmSync, statSync, statfsSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError } from '../util/errors.js';
import { shardSuffix, type Shard } from './writer.js';
import { mayStillOwn } from '../util/running.js';
import { makeDirectory } from '../util/make-dir.js';
import { liveStoresIn } from '../util/store-lock.js';
import { takePidLock } from '../util/pid-lock.js';

/** The names fhirseed writes at the top of an output directory. */
export const OWN_ENTRY = /^(bundles|ndjson|seed-state|serve-state|screenshots|sandbox-store|manifest.*\.json|test-accounts.*\.(json|csv)|brands\.json|\.fhirseed-(tmp|old)-\d+(\.shard-\d+-of-\d+)?|\.fhirseed-lock(\.shard-\d+-of-\d+)?)$/;

/**
 * Kept when the population is regenerated: the seeder's checkpoint and dead-letter files, the
 * sandbox's registered clients (serve-state/), and the screenshots the browser tests and `npm run screenshots` save under output/screenshots/.
 */
export const KEPT = ['seed-state', 'serve-state', 'screenshots'];

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Checks, before any work, that `out` can be an output directory: not a file, with an existing
 * ancestor that is a writable directory, and holding nothing but fhirseed's own files. Returns the
 * nearest existing directory (`out` itself or an ancestor): where the temporary directory goes and
 * whose filesystem's free space counts. Throws UserError naming `what` (the CLI's `--out`, the library's
 * `options.out`: generate.ts OptionNames) and the reason.
 */
export function checkOutputTarget(out: string, what = '--out'): string {
  const target = resolve(out);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new UserError(`${what} ${out}: is a file, not a directory`);
    const foreign = readdirSync(target).filter((e) => !OWN_ENTRY.test(e));
    if (foreign.length) {
      throw new UserError(`output directory ${out} holds files fhirseed did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); choose an empty ${what} directory`);
    }
    assertNotServed(out, what);
  }
  let existing = dirname(target);
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) throw new UserError(`${what} ${out}: ${existing} is a file, not a directory`);
  for (const dir of existsSync(target) ? [dirname(target), target] : [existing]) {
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
      // access() says yes to root everywhere; creating a directory tells /proc or a read-only mount.
      rmdirSync(mkdtempSync(join(dir, '.fhirseed-probe-')));
    } catch (error) {
      throw new UserError(`${what} ${out}: cannot write in ${dir} (${errorCode(error)})`);
    }
  }
  return existsSync(target) ? target : existing;
}

/**
 * Throws UserError when a live `fhirseed serve` holds a store in `out/sandbox-store/` (its lock, util/store-lock.ts):
 * replacing `out` would delete the store it serves, with what apps wrote to it. One line naming the pid and the
 * store. A stale lock (its process gone) does not count. Reads only.
 */
export function assertNotServed(out: string, what = '--out'): void {
  const [live] = liveStoresIn(join(out, SANDBOX_STORE));
  if (live) {
    throw new UserError(
      `${what} ${out}: being served by fhirseed serve pid ${live.pid} (store ${join(out, SANDBOX_STORE, basename(live.file))}); generating would delete that store and what apps wrote to it: stop that serve first, or give another ${what}`,
    );
  }
}

/** Bytes free for this user on the filesystem holding `dir`, or undefined when it cannot be told. */
export function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Whether `target` is a mount point (a volume mounted at --out, as a Kubernetes Job mounts one): its
 * filesystem is not its parent's, so nothing can be renamed between the two.
 */
function isMountPoint(target: string): boolean {
  try {
    return statSync(target).dev !== statSync(dirname(target)).dev;
  } catch {
    return false;
  }
}

/**
 * Where a run's temporary and set-aside directories go, on the same filesystem as `target` so that the
 * final renames work: beside it as `.<name>.fhirseed-…`, or inside it as `.fhirseed-…` when it is a mount point.
 */
function workArea(target: string): { dir: string; prefix: string } {
  return isMountPoint(target) ? { dir: target, prefix: '.fhirseed-' } : { dir: dirname(target), prefix: `.${basename(target)}.fhirseed-` };
}

/** The output locks this process holds (by lock path): a second run of it on one output is refused too. */
const outputLocks = new Set<string>();

/**
 * One run at a time per output (per shard of it): takes the pid-file lock `.<name>.fhirseed-lock[.shard-i-of-N]` in
 * `out`'s work area (beside it, or inside a mounted `out`: workArea; util/pid-lock.ts, a stale one taken over) and
 * returns its release. Two runs on one output both ended 0, the later one's output replacing the earlier's without a
 * word. Throws UserError, touching nothing, when another live process (or a run of this one) holds it:
 * one line naming the pid and the lock. The parent of `out` must exist, or is made.
 */
export function lockOutput(out: string, shard?: Shard, what = '--out'): () => void {
  const target = resolve(out);
  try {
    makeDirectory(dirname(target));
  } catch (error) {
    throw new UserError(`${what} ${out}: cannot create ${dirname(target)} (${errorCode(error)})`);
  }
  const area = workArea(target);
  const path = join(area.dir, `${area.prefix}lock${shardSuffix(shard)}`);
  const running = (pid: number) =>
    new UserError(
      `output directory ${out}${shardSuffix(shard) ? ` (shard ${shard!.index}/${shard!.count})` : ''}: another fhirseed generate (pid ${pid}) is writing it; ` +
        `wait for that one to end, or give another ${what}; if pid ${pid} is not a fhirseed generate or start, delete ${path}`,
    );
  if (outputLocks.has(path)) throw running(process.pid);
  const release = takePidLock(path, {
    held: running,
    unwritable: (code) => new UserError(`--out ${out}: cannot write in ${area.dir} (${code})`),
    failed: (code) => new UserError(`--out ${out}: cannot lock it with ${path} (${code})`),
    churning: () => new UserError(`--out ${out}: cannot lock it (its lock ${path} keeps changing); stop the other generates of it`),
  });
  outputLocks.add(path);
  return () => {
    outputLocks.delete(path);
    release();
  };
}

/**
 * The temporary directory a run writes into, on the same filesystem as `out` (see workArea):
 * `.<name>.fhirseed-tmp-<pid>[.shard-i-of-N]` beside it, or `.fhirseed-tmp-<pid>[…]` inside a mounted `out`.
 * Created empty, with its parents.
 */
export function createTempOutput(out: string, shard?: Shard, what = '--out'): string {
  const target = resolve(out);
  let temp = '';
  try {
    makeDirectory(dirname(target));
    const area = workArea(target);
    // The shard in the name too: shards on other machines writing to one shared volume may share a pid.
    temp = join(area.dir, `${area.prefix}tmp-${process.pid}${shardSuffix(shard)}`);
    rmSync(temp, { recursive: true, force: true });
    if (!shardSuffix(shard)) removeStale(area);
    mkdirSync(temp);
  } catch (error) {
    throw new UserError(`${what} ${out}: cannot create ${temp || dirname(target)} (${errorCode(error)})`);
  }
  return temp;
}

/**
 * Removes what a killed unsharded run (SIGKILL, power loss) left in its work area: its
 * `…fhirseed-tmp-<pid>` or `-old-<pid>` directory, when no process with that pid runs here, or the one that does
 * started after the directory last changed or is not node (the pid reused after a reboot or a container restart;
 * util/running.ts mayStillOwn). Shards' directories are left alone: their process may run on another machine sharing
 * the volume.
 */
function removeStale(area: { dir: string; prefix: string }): void {
  for (const name of readdirSync(area.dir)) {
    const m = /^(?:tmp|old)-(\d+)$/.exec(name.startsWith(area.prefix) ? name.slice(area.prefix.length) : '');
    if (!m) continue;
    const path = join(area.dir, name);
    let changedMs: number;
    try {
      // ctime too: renaming the old output aside (swapInOutput) changes its ctime, not its mtime.
      const s = statSync(path);
      changedMs = Math.max(s.mtimeMs, s.ctimeMs);
    } catch {
      continue; // removed meanwhile by its own run
    }
    if (!mayStillOwn(Number(m[1]), changedMs)) rmSync(path, { recursive: true, force: true });
  }
}

/** The sandbox's store folder in an output (serve/store/open.ts STORE_DIR; src/output may not import serve). */
const SANDBOX_STORE = 'sandbox-store';

/**
 * Puts a finished unsharded run in place: the old `out` is renamed aside, the temporary directory
 * renamed to `out`, the old seed-state/ carried over, and the old directory removed. Between the two
 * renames `out` is missing for an instant, but never half written. When `out` itself cannot be
 * renamed (the working directory is in it, or it is a mount point and `temp` inside it), its entries
 * are swapped instead, one rename each. Returns `out/sandbox-store` when the old `out` had a sandbox store there
 * (not empty), removed with the old population (what apps and the seeder wrote to it included): the caller says so.
 * Throws UserError (assertNotServed), touching nothing, when a serve holds a store in `out` by now.
 */
export function swapInOutput(temp: string, out: string, what = '--out'): string | undefined {
  const target = resolve(out);
  // Checked again at the end: a serve may have started on `out` while this run generated.
  assertNotServed(out, what);
  if (!existsSync(target)) {
    renameSync(temp, target);
    return undefined;
  }
  const store = holdsEntries(join(target, SANDBOX_STORE)) ? join(out, SANDBOX_STORE) : undefined;
  const area = workArea(target);
  const old = join(area.dir, `${area.prefix}old-${process.pid}`);
  if (isInside(temp, target) || isInside(process.cwd(), target)) {
    swapEntries(temp, target, old);
    return store;
  }
  try {
    renameSync(target, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
    swapEntries(temp, target, old);
    return store;
  }
  try {
    renameSync(temp, target);
  } catch (error) {
    renameSync(old, target);
    throw error;
  }
  for (const kept of KEPT) if (existsSync(join(old, kept))) renameSync(join(old, kept), join(target, kept));
  rmSync(old, { recursive: true, force: true });
  return store;
}

/** Whether `dir` is a folder holding anything. */
function holdsEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/**
 * The entry-by-entry swap: `out`'s own entries (but the KEPT ones and the work directories) to `old`,
 * then `temp`'s entries in.
 */
function swapEntries(temp: string, target: string, old: string): void {
  makeDirectory(old);
  const movedOut: string[] = [];
  const movedIn: string[] = [];
  const work = new Set([temp, old].filter((p) => dirname(p) === target).map((p) => basename(p)));
  const isLock = (name: string) => /^\.fhirseed-lock(\.shard-\d+-of-\d+)?$/.test(name);
  try {
    for (const name of readdirSync(target)) {
      if (KEPT.includes(name) || work.has(name) || isLock(name)) continue;
      renameSync(join(target, name), join(old, name));
      movedOut.push(name);
    }
    for (const name of readdirSync(temp)) {
      renameSync(join(temp, name), join(target, name));
      movedIn.push(name);
    }
  } catch (error) {
    // Back as it was: the new entries out, the old ones in.
    for (const name of movedIn) rmSync(join(target, name), { recursive: true, force: true });
    for (const name of movedOut) renameSync(join(old, name), join(target, name));
    rmSync(old, { recursive: true, force: true });
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
  rmSync(temp, { recursive: true, force: true });
}

/**
 * Puts a finished shard in place: the shard's own earlier files in `out` (its suffixed files, its
 * members' bundles, and the directory bundles for the first shard) are removed, then every file of
 * the temporary directory is moved in. Other shards' files are left alone.
 */
export function moveShardIn(temp: string, out: string, shard: Shard, members: { first: number; end: number }): void {
  const target = resolve(out);
  makeDirectory(target);
  const suffix = shardSuffix(shard);
  const own = (dir: string, name: string): boolean => {
    if (suffix && name.includes(`${suffix}.`)) return true;
    if (dir !== 'bundles') return false;
    if (members.first === 0 && /^directory(-\d+)?\.json$/.test(name)) return true;
    const m = /^member-(\d+)(-\d+)?\.json$/.exec(name);
    return m !== null && Number(m[1]) >= members.first && Number(m[1]) < members.end;
  };
  for (const dir of ['', 'bundles', 'ndjson']) {
    const path = join(target, dir);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path)) if (own(dir, name) && !KEPT.includes(name)) rmSync(join(path, name), { force: true, recursive: true });
  }
  for (const dir of ['bundles', 'ndjson']) {
    if (!existsSync(join(temp, dir))) continue;
    makeDirectory(join(target, dir));
    for (const name of readdirSync(join(temp, dir))) renameSync(join(temp, dir, name), join(target, dir, name));
  }
  for (const name of readdirSync(temp)) {
    if (name !== 'bundles' && name !== 'ndjson') renameSync(join(temp, name), join(target, name));
  }
  rmSync(temp, { recursive: true, force: true });
}

/** Whether `path` lies inside directory `dir` (or is it). */
export function isInside(path: string, dir: string): boolean {
  const p = resolve(path);
  const d = resolve(dir);
  return p === d || p.startsWith(d.endsWith(sep) ? d : `${d}${sep}`);
}

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A seed in progress, as a file in the machine's temporary directory (`fhirseed-seeding-*.json`), so that a `purge` of the
 * same run into the same server on this machine can refuse instead of deleting what the seed is writing (s16 trial
 * S2). Purge has only --server and --run, not the seed's output directory, hence a machine-wide place. A marker whose
 * process is gone (kill -9) counts for nothing and is removed by the next seed or purge that reads the markers. A seed on another machine is not seen: purge's figures say so instead.
 */
export interface SeedingMarker {
  pid: number;
  server: string;
  runId: string;
  dir: string;
}

const PREFIX = 'fhirseed-seeding-';

function markerPath(server: string, runId: string, pid: number): string {
  const key = createHash('sha256').update(`${server}|${runId}`).digest('hex').slice(0, 16);
  return join(tmpdir(), `${PREFIX}${key}-${pid}.json`);
}

/** Marks this process as seeding `runId` into `server`; returns the function that removes the mark. Never throws. */
export function markSeeding(server: string, runId: string, dir: string): () => void {
  runningSeeds(server); // removes the markers of seeds killed before they could (kill -9), of any server
  const path = markerPath(server, runId, process.pid);
  try {
    writeFileSync(path, JSON.stringify({ pid: process.pid, server, runId, dir } satisfies SeedingMarker));
  } catch {
    // No temporary directory to write in: purge cannot see this seed, which is what it was before markers.
    return () => undefined;
  }
  return () => rmSync(path, { force: true });
}

/** Seeds running on this machine into `server` (of `runId`, or of any run when undefined), by live processes. */
export function runningSeeds(server: string, runId?: string): SeedingMarker[] {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((name) => name.startsWith(PREFIX));
  } catch {
    return [];
  }
  const found: SeedingMarker[] = [];
  for (const name of names) {
    try {
      const marker = JSON.parse(readFileSync(join(tmpdir(), name), 'utf8')) as SeedingMarker;
      if (!alive(marker.pid)) {
        removeStale(name);
        continue;
      }
      if (marker.server !== server || (runId !== undefined && marker.runId !== runId)) continue;
      found.push(marker);
    } catch {
      // Being written or removed right now, or not ours: not a marker to act on.
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a marker whose process is gone (kill -9, a crash); one another process removes first is fine. */
function removeStale(name: string): void {
  try {
    rmSync(join(tmpdir(), name), { force: true });
  } catch {
    // Not ours to remove (another user's temporary file): it counts for nothing either way.
  }
}

import { extname } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { CoverageIndex, type CoverageReport, type CoverageState } from './coverage.js';
import { KeySet } from './key-set.js';
import { parseIg, type FhirPackage } from './packages.js';
import { streamFile, type Position } from './read-stream.js';
import type { ReadProblem } from './read.js';
import { bytesPrint, contentPrint, differingRepeats, type Repeat } from './repeats.js';
import type { Issue } from './types.js';
import { resourceKeys, type Validator } from './validator.js';
import { validateUnitsInWorkers } from './workers.js';

/** Resources per work unit of a large NDJSON file (a worker's share at a time). */
export const UNIT_RESOURCES = 2000;

/** One input file as the first pass saw it. */
export interface FileScan {
  file: string;
  /** Resources read (duplicates included). */
  count: number;
  /** Ordinals of resources already seen in an earlier file or line (validated once, at their first place). */
  duplicates: number[];
  /** NDJSON: where every UNIT_RESOURCES-th resource starts, so a unit can begin there. */
  marks: Position[];
}

/**
 * What the first pass learns: every resource key (a compact fingerprint set, with a fingerprint of the content
 * first seen under it; no resource kept), per-file layout, read problems (a repeat whose content differs from
 * its first place among them).
 */
export interface Scan {
  keys: KeySet;
  /** Keys of resources inside a Bundle validated as one resource (document, message…): resolvable, never duplicates. */
  entryKeys: KeySet;
  files: FileScan[];
  /** Resources to validate (duplicates not counted). */
  resources: number;
  duplicates: number;
  problems: ReadProblem[];
  skippedFiles: string[];
}

/** A slice of one file to validate: resources [start.ordinal, end) minus the duplicates. */
export interface WorkUnit {
  file: string;
  start: Position;
  end: number;
  duplicates: number[];
}

export interface StreamResult {
  issues: Issue[];
  coverage: CoverageReport[];
  /** Invariants not evaluated, key → reason (ordered by key). */
  skippedInvariants: Map<string, string>;
}

/**
 * First pass over the files: parses each resource once to learn its `Type/id` (and those of a Bundle's
 * entries), which occurrences are duplicates, where NDJSON units start, and which lines or files are
 * unreadable. Keeps no resource, so memory stays flat whatever the input's size.
 */
export function scanFiles(files: readonly string[]): Scan {
  const scan: Scan = { keys: new KeySet(), entryKeys: new KeySet(), files: [], resources: 0, duplicates: 0, problems: [], skippedFiles: [] };
  const repeats: Repeat[] = [];
  for (const file of files) {
    const info: FileScan = { file, count: 0, duplicates: [], marks: [] };
    const ndjson = extname(file) === '.ndjson';
    /**
     * Counts one resource by its own key; false when it is a duplicate. `content` is its content print, or
     * its line's bytesPrint and how to print it parsed when that differs from the first place's.
     */
    const own = (key: string, hasId: boolean, at: Position, content: number, parsedPrint?: () => number): boolean => {
      info.count++;
      if (ndjson && at.ordinal % UNIT_RESOURCES === 0) info.marks.push(at);
      const seen = scan.keys.addWith(key, content);
      // As readResources: a resource without id is never a duplicate.
      if (seen !== undefined && hasId) {
        info.duplicates.push(at.ordinal);
        scan.duplicates++;
        if (seen !== content) {
          const parsed = parsedPrint ? parsedPrint() : content;
          if (parsed !== seen) repeats.push({ key, file, line: at.line || undefined, content: parsed });
        }
        return false;
      }
      scan.resources++;
      return true;
    };
    streamFile(file, {
      resource: (r: Resource, at) => {
        const [key, ...entries] = resourceKeys(r);
        if (own(key!, r.id !== undefined, at, contentPrint(r))) for (const entry of entries) scan.entryKeys.add(entry);
      },
      // NDJSON lines whose keys the scan reads without parsing them (no Bundle among them: no entry keys).
      keys: (k, at, bytes) =>
        own(`${k.resourceType}/${k.id}`, k.id !== undefined, at, bytesPrint(bytes), () => contentPrint(JSON.parse(bytes.toString('utf8')) as Resource)),
      problem: (p) => scan.problems.push(p),
      skipped: (f) => scan.skippedFiles.push(f),
    });
    scan.files.push(info);
  }
  scan.problems.push(...differingRepeats(files, repeats));
  return scan;
}

/** The files' non-duplicate resources cut into units of at most UNIT_RESOURCES (NDJSON) or one file (JSON), in reading order. */
export function workUnits(scan: Scan): WorkUnit[] {
  const units: WorkUnit[] = [];
  for (const f of scan.files) {
    if (f.count === f.duplicates.length) continue;
    const starts = f.marks.length ? f.marks : [{ ordinal: 0, byte: 0, line: 1 }];
    starts.forEach((start, i) => {
      const end = starts[i + 1]?.ordinal ?? f.count;
      const duplicates = f.duplicates.filter((o) => o >= start.ordinal && o < end);
      if (duplicates.length < end - start.ordinal) units.push({ file: f.file, start, end, duplicates });
    });
  }
  return units;
}

/**
 * Validates units with one validator in this thread: each resource is checked as it is read, references
 * against the scan's keys, and counted into the coverage indexes; only issues are kept, each with the `file` and
 * NDJSON `line` or Bundle `entry` its resource was read at.
 */
export function validateUnit(unit: WorkUnit, validator: Validator, keys: [KeySet, KeySet], coverage: CoverageIndex[], issues: Issue[]): number {
  const duplicates = new Set(unit.duplicates);
  const isKnown = (key: string) => keys[0].has(key) || (keys[1].size > 0 && keys[1].has(key));
  let n = 0;
  streamFile(
    unit.file,
    {
      resource: (r, at, scope) => {
        if (duplicates.has(at.ordinal)) return;
        const from = issues.length;
        validator.check(r, isKnown, issues, scope);
        // Where the resource was read, on its issues only (most resources have none).
        for (let i = from; i < issues.length; i++) {
          const issue = issues[i]!;
          issue.file = unit.file;
          if (at.line) issue.line = at.line;
          if (at.entry !== undefined) issue.entry = at.entry;
        }
        for (const c of coverage) c.add(r);
        n++;
      },
      problem: () => undefined, // told by the scan
      skipped: () => undefined,
    },
    unit.start,
    unit.end,
  );
  return n;
}

/** The loaded packages of the named IGs (`--ig` specs, e.g. `us-core@6.1.0`): those `validate` reports must-support coverage for. */
export function coveragePackagesOf(validator: Pick<Validator, 'packages'>, igs: readonly string[]): FhirPackage[] {
  const named = igs.map((ig) => parseIg(ig));
  return validator.packages.filter((p) => named.some((n) => n.name === p.name && n.version === p.version));
}

export interface StreamOptions {
  /** The IG packages to report must-support coverage for (loaded by the validator). */
  coveragePackages: FhirPackage[];
  /** Worker threads (1: this thread). */
  jobs: number;
  /** What the workers load: the same as the validator was created with. */
  igs: string[];
  packagesDir?: string;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Second pass: validates the scanned files unit by unit, in this thread or in `jobs` worker threads.
 * Findings come out in reading order whatever the number of jobs (units are merged by index); coverage
 * indexes of the workers are merged. The same issues and coverage as `validate` + `coverage` on all
 * resources at once, except that with several jobs an invariant that throws on one resource (and is
 * then skipped) may still have been evaluated on resources of other units.
 */
export async function validateScanned(scan: Scan, validator: Validator, options: StreamOptions): Promise<StreamResult> {
  const units = workUnits(scan);
  const coverage = options.coveragePackages.map((p) => new CoverageIndex(p, validator));
  let done = 0;
  const progress = (n: number) => {
    done += n;
    options.onProgress?.(done, scan.resources);
  };
  options.onProgress?.(0, scan.resources);
  if (options.jobs <= 1 || units.length <= 1) {
    const issues: Issue[] = [];
    for (const unit of units) {
      progress(validateUnit(unit, validator, [scan.keys, scan.entryKeys], coverage, issues));
      // Between units, let the event loop run: the progress bar redraws and Ctrl-C/SIGTERM are handled.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { issues, coverage: coverage.map((c) => c.report()), skippedInvariants: byKey(validator.skippedInvariants) };
  }
  const result = await validateUnitsInWorkers(units, [scan.keys, scan.entryKeys], {
    jobs: options.jobs,
    igs: options.igs,
    packagesDir: options.packagesDir,
    coverage: options.coveragePackages.map((p) => `${p.name}@${p.version}`),
    onUnit: progress,
  });
  result.coverage.forEach((states: CoverageState[]) => states.forEach((s, i) => coverage[i]!.merge(s)));
  return { issues: result.issues, coverage: coverage.map((c) => c.report()), skippedInvariants: byKey(result.skippedInvariants) };
}

/** Skipped invariants ordered by key, so the notes do not depend on which worker met one first. */
function byKey(skipped: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...skipped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

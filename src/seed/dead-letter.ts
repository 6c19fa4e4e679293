import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { UserError } from '../util/errors.js';
import type { Redactor } from './redact.js';
import type { EntryResult } from './send.js';
import { readBundleEntries, type SeedEntry, type SeedSource } from './source.js';

/** One line of the dead-letter file: what could not be loaded, why, and the resource itself. */
export interface DeadLetter {
  reason: string;
  status: number | null;
  resourceType: string;
  id: string;
  source: string;
  request: { method: 'PUT'; url: string };
  outcome: OperationOutcome;
  resource: Resource;
}

/**
 * Appends failed entries as NDJSON, flushed to disk before the checkpoint moves past them, so a
 * crash can lose neither a resource nor the record of its failure. Everything is redacted.
 */
export class DeadLetterFile {
  private fd: number | undefined;
  count = 0;

  constructor(readonly path: string, private readonly redactor: Redactor) {}

  /**
   * Starts a new file (a fresh run) or keeps adding to the one there (a resumed run). `later` (a fresh run over an
   * earlier unfinished seed whose checkpoint is kept, Checkpoint.earlier): the file there is emptied only when this run
   * has something to record — its first dead letter, or startAfresh at its first acknowledgement.
   */
  open(append: boolean, later = false): void {
    if (!append && later) {
      this.pendingEmpty = true;
      return;
    }
    if (!append && existsSync(this.path)) writeFileSync(this.path, '');
    this.fd = openSync(this.path, 'a');
  }

  /** With open(false, true): empties the earlier run's file now (this run acknowledged something); else nothing. */
  startAfresh(): void {
    if (this.pendingEmpty) this.open(false);
    this.pendingEmpty = false;
  }

  private pendingEmpty = false;

  write(results: readonly EntryResult[]): void {
    const failed = results.filter((r) => !r.ok);
    if (!failed.length) return;
    if (this.pendingEmpty) this.startAfresh();
    if (this.fd === undefined) this.open(true);
    const lines = failed.map((r) => `${this.redactor.redact(JSON.stringify(deadLetter(r)))}\n`).join('');
    writeSync(this.fd!, lines);
    fsyncSync(this.fd!);
    this.count += failed.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function deadLetter(r: EntryResult): DeadLetter {
  const { entry } = r;
  return {
    reason: r.reason ?? 'failed',
    status: r.status ?? null,
    resourceType: entry.type,
    id: entry.id,
    source: entry.source,
    request: { method: 'PUT', url: `${entry.type}/${entry.id}` },
    outcome: r.outcome ?? { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: r.reason ?? 'failed' }] },
    resource: entry.resource,
  };
}

export function readDeadLetters(path: string): DeadLetter[] {
  if (!existsSync(path)) throw new UserError(`no dead-letter file at ${path}: nothing to retry`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      try {
        const record = JSON.parse(line) as DeadLetter;
        if (!record.resource?.resourceType || !record.resource.id) throw new Error('no resource');
        return record;
      } catch {
        throw new UserError(`${path}:${i + 1}: not a fhirseed dead-letter record`);
      }
    });
}

/** What --retry-dead-letter sends: the entries by source file, and how many were re-read from the output or kept as stored. */
export interface DeadLetterReplay {
  groups: { file: string; entries: SeedEntry[] }[];
  /** Entries whose resource the output directory still holds: sent as it is there now (corrected or not). */
  fromOutput: number;
  /** Entries the output no longer holds (its file or the resource is gone): sent as the dead-letter file stored them. */
  asStored: number;
}

/**
 * Dead letters back into entries, one group per source file, in file order. Each resource is sent as the output
 * directory holds it now, so that a correction made in the data files after the failed run is what the server gets;
 * the stored copy only when the output no longer has that resource (its file is not one of `source`'s bundle files
 * any more, or lacks that type and id). Throws UserError when a file that holds dead letters cannot be read or is not
 * JSON (`PATH:LINE:COLUMN: not JSON (…)`): an edit broke it, and nothing is sent.
 */
export function deadLetterReplay(records: readonly DeadLetter[], source: SeedSource): DeadLetterReplay {
  const known = new Set(outputBundleFiles(source));
  const files = new Map<string, Map<string, SeedEntry> | undefined>();
  const current = (file: string): Map<string, SeedEntry> | undefined => {
    if (!files.has(file)) files.set(file, known.has(file) ? new Map(readBundleEntries(source.dir, file).map((e) => [`${e.type}/${e.id}`, e])) : undefined);
    return files.get(file);
  };
  const groups = new Map<string, SeedEntry[]>();
  let fromOutput = 0;
  for (const r of records) {
    const now = current(r.source)?.get(`${r.resource.resourceType}/${r.resource.id}`);
    if (now) fromOutput++;
    const entry: SeedEntry = now ?? { resource: r.resource, type: r.resource.resourceType, id: r.resource.id!, source: r.source };
    const list = groups.get(r.source) ?? [];
    list.push(entry);
    groups.set(r.source, list);
  }
  return { groups: [...groups].map(([file, entries]) => ({ file, entries })), fromOutput, asStored: records.length - fromOutput };
}

/** Every bundle file the seeder reads from the output: the directory's, the members' and the attribution Groups'. */
function outputBundleFiles(source: SeedSource): string[] {
  return [
    ...(source.directoryFile ? [source.directoryFile] : []),
    ...(source.directoryParts ?? []),
    ...source.memberFiles,
    ...Object.values(source.memberParts ?? {}).flat(),
    ...(source.groupFiles ?? []),
  ];
}

/** Replaces a file's content all at once: a reader (or a crash) sees the old file or the new, never half. */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

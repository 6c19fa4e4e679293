import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from './dead-letter.js';
import type { SeedSource } from './source.js';

interface CheckpointData {
  version: 1;
  server: string;
  runId: string;
  /** Identifies the output the checkpoint belongs to: member file count and first/last names. */
  fingerprint: string;
  directoryDone: boolean;
  /** Member files (in sorted order) 0 … doneBelow-1 are all loaded. */
  doneBelow: number;
  /** Loaded member files at or past doneBelow (work finishes out of order). */
  doneAbove: number[];
  finished: boolean;
}

/**
 * Which parts of a seed run the server has acknowledged. Rewritten atomically after every
 * acknowledged work item, so it survives kill -9; resuming skips what it lists. Replaying a
 * finished item by accident would still be harmless: every write is a PUT at a deterministic id.
 */
export class Checkpoint {
  private data: CheckpointData;
  private readonly ordinal: Map<string, number>;

  private constructor(readonly path: string, data: CheckpointData, memberFiles: readonly string[]) {
    this.data = data;
    this.ordinal = new Map(memberFiles.map((f, i) => [f, i]));
  }

  /**
   * A fresh checkpoint (a seed without --resume), written at once — unless `path` holds an unfinished checkpoint of
   * the same server and output with something acknowledged (what --resume would continue): that one is kept until
   * this run has something to record (its first acknowledgement), so a run that stops before (first contact, the
   * token request, Ctrl-C) leaves the earlier resume point as it was (`earlier`). The state directory must then be
   * writable (checked now, as the write would have); throws the fs error (EACCES…) when it is not.
   */
  static start(path: string, server: string, source: SeedSource): Checkpoint {
    const data: CheckpointData = {
      version: 1, server, runId: source.runId, fingerprint: fingerprint(source),
      directoryDone: false, doneBelow: 0, doneAbove: [], finished: false,
    };
    const checkpoint = new Checkpoint(path, data, source.memberFiles);
    const earlier = Checkpoint.unfinished(path, server, source);
    if (earlier && (earlier.membersDone || earlier.directoryDone)) {
      accessSync(dirname(path), constants.W_OK);
      checkpoint.kept = earlier;
    } else {
      checkpoint.save();
    }
    return checkpoint;
  }

  /** An earlier unfinished checkpoint still at `path` because this run has acknowledged nothing yet (see start). */
  get earlier(): { membersDone: number; directoryDone: boolean } | undefined {
    return this.kept;
  }

  private kept: { membersDone: number; directoryDone: boolean } | undefined;

  /** Called once when this run's first save replaces a kept earlier checkpoint (see start). */
  onReplace?: () => void;

  /** The checkpoint of an earlier run against the same server and output; refuses a mismatched one. */
  static resume(path: string, server: string, source: SeedSource): Checkpoint {
    if (!existsSync(path)) return Checkpoint.start(path, server, source);
    let data: CheckpointData;
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as CheckpointData;
    } catch {
      throw new UserError(`checkpoint ${path} is unreadable; remove it and seed without --resume`);
    }
    if (data.version !== 1) throw new UserError(`checkpoint ${path} is from another fhirseed version; seed without --resume`);
    if (data.server !== server) throw new UserError(`checkpoint ${path} is for ${data.server}, not ${server}; seed without --resume`);
    if (data.runId !== source.runId || data.fingerprint !== fingerprint(source)) {
      throw new UserError(`checkpoint ${path} is for another output (run ${data.runId}); seed without --resume`);
    }
    return new Checkpoint(path, data, source.memberFiles);
  }

  /**
   * An unfinished checkpoint at `path` that `--resume` would continue (same server, run and output), as the member
   * files it lists as loaded; undefined when there is none, it is finished, unreadable or for something else.
   */
  static unfinished(path: string, server: string, source: SeedSource): { membersDone: number; directoryDone: boolean } | undefined {
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as CheckpointData;
      if (data.version !== 1 || data.finished || data.server !== server || data.runId !== source.runId || data.fingerprint !== fingerprint(source)) return undefined;
      return { membersDone: data.doneBelow + data.doneAbove.length, directoryDone: data.directoryDone };
    } catch {
      return undefined;
    }
  }

  /** Member files acknowledged so far. */
  get membersDone(): number {
    return this.data.doneBelow + this.data.doneAbove.length;
  }

  get directoryDone(): boolean {
    return this.data.directoryDone;
  }

  get finished(): boolean {
    return this.data.finished;
  }

  isDone(memberFile: string): boolean {
    const i = this.ordinal.get(memberFile);
    return i !== undefined && (i < this.data.doneBelow || this.data.doneAbove.includes(i));
  }

  markDirectoryDone(): void {
    this.data.directoryDone = true;
    this.save();
  }

  markDone(memberFiles: readonly string[]): void {
    const above = new Set(this.data.doneAbove);
    for (const f of memberFiles) {
      const i = this.ordinal.get(f);
      if (i !== undefined && i >= this.data.doneBelow) above.add(i);
    }
    while (above.delete(this.data.doneBelow)) this.data.doneBelow++;
    this.data.doneAbove = [...above].sort((a, b) => a - b);
    this.save();
  }

  markFinished(): void {
    this.data.finished = true;
    this.save();
  }

  private save(): void {
    if (this.kept) this.onReplace?.();
    writeFileAtomic(this.path, `${JSON.stringify(this.data)}\n`);
    this.kept = undefined;
  }
}

function fingerprint(source: SeedSource): string {
  const files = source.memberFiles;
  return `${files.length}:${files[0] ?? ''}:${files[files.length - 1] ?? ''}:${source.directoryFile ? 'dir' : 'nodir'}`;
}

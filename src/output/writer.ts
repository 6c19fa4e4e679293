import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accountsCsvHeader } from './accounts.js';
import { releaseBytes, type RenderedGroup } from './render.js';
import { makeDirectory } from '../util/make-dir.js';

export type OutputFormat = 'bundles' | 'ndjson';

export interface Shard {
  index: number;
  count: number;
}

/** File name suffix of a shard's own files (none for an unsharded run). */
export function shardSuffix(shard: Shard | undefined): string {
  return shard && shard.count > 1 ? `.shard-${shard.index}-of-${shard.count}` : '';
}

export interface OutputCounts {
  byType: Record<string, number>;
  byProfile: Record<string, number>;
  members: number;
  bundles: number;
}

/**
 * Bytes a BufferedFile gathers before it writes them: one buffer per NDJSON type (about 37), so 64 KiB holds
 * 2.3 MiB where 256 KiB held 9.3, for the same CPU (generate --jobs 2, 10,000 members; issue 13).
 */
const FILE_BUFFER = 1 << 16;

/**
 * Appends to a file through a bounded buffer: one write call per ~64 KiB instead of one per member
 * (a buffer per resource type). Bytes are copied in (the member's buffer is not kept alive).
 */
class BufferedFile {
  private buf: Buffer | undefined;
  private size = 0;

  constructor(private readonly fd: number) {}

  write(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.size + bytes.length > FILE_BUFFER) {
      this.flush();
      if (bytes.length >= FILE_BUFFER) {
        writeAll(this.fd, bytes);
        return;
      }
    }
    this.buf ??= Buffer.allocUnsafeSlow(FILE_BUFFER);
    this.buf.set(bytes, this.size);
    this.size += bytes.length;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.size === 0) return;
    writeAll(this.fd, this.buf!.subarray(0, this.size));
    this.size = 0;
  }
}

/** writeSync until every byte is written (it may write fewer than asked). */
function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Bundle files written at once at most in streaming mode before the writer asks its caller to wait (each keeps its member's bytes alive). */
const MAX_PENDING_WRITES = 4;

/**
 * Writes as it goes: each member's bundle files are written and its NDJSON lines appended to the
 * file of their type, so nothing is held in memory but the open file descriptors, the counts and
 * (streaming) the bundle files being written. Members come already serialised (src/output/render.ts).
 * With `streaming`, bundle files are written asynchronously (at most MAX_PENDING_WRITES at once:
 * await `drained()` between members) and `close()` must be followed by `await finished()`. With
 * `releaseWritten`, each group's bytes are released (render.ts releaseBytes: read as empty afterwards) as soon as
 * they are written, the bundle writes included: generate's groups are read once, here.
 */
export class OutputWriter {
  private readonly ndjson = new Map<string, BufferedFile>();
  private accountsCsv: BufferedFile | undefined;
  private accountsJson: BufferedFile | undefined;
  private accountsWritten = 0;
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;
  readonly counts: OutputCounts = { byType: {}, byProfile: {}, members: 0, bundles: 0 };
  readonly files = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly formats: ReadonlySet<OutputFormat>,
    private readonly shard: Shard | undefined,
    private readonly streaming = false,
    private readonly releaseWritten = false,
  ) {}

  /** Prepares the (new, empty) directory: subdirectories and the test-account files. */
  open(): void {
    makeDirectory(this.dir);
    if (this.formats.has('bundles')) makeDirectory(join(this.dir, 'bundles'));
    if (this.formats.has('ndjson')) makeDirectory(join(this.dir, 'ndjson'));
    const suffix = shardSuffix(this.shard);
    this.accountsCsv = new BufferedFile(this.openFile(`test-accounts${suffix}.csv`));
    this.accountsCsv.write(accountsCsvHeader());
    this.accountsJson = new BufferedFile(this.openFile(`test-accounts${suffix}.json`));
    this.accountsJson.write('[\n');
  }

  writeDirectory(group: RenderedGroup): void {
    this.writeGroup(group);
  }

  /** A member's files, in index order (the NDJSON files and test accounts are appended to). */
  writeMember(group: RenderedGroup): void {
    this.writeGroup(group);
    this.counts.members++;
    if (group.account) {
      this.accountsCsv!.write(group.account.csv);
      this.accountsJson!.write(`${this.accountsWritten ? ',\n' : ''}  ${group.account.json}`);
      this.accountsWritten++;
    }
  }

  /** Streaming: resolves when fewer than MAX_PENDING_WRITES bundle files are being written; rejects with a failed write. */
  async drained(): Promise<void> {
    while (this.pending.size >= MAX_PENDING_WRITES) await Promise.race(this.pending);
    if (this.failure !== undefined) throw this.failure;
  }

  close(): void {
    if (this.accountsJson !== undefined) {
      this.accountsJson.write('\n]\n');
      this.accountsJson.close();
      this.accountsJson = undefined;
    }
    this.accountsCsv?.close();
    this.accountsCsv = undefined;
    for (const file of this.ndjson.values()) file.close();
    this.ndjson.clear();
  }

  /** Streaming: waits for every bundle file being written; rejects with the first failed write. */
  async finished(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure !== undefined) throw this.failure;
  }

  private writeGroup(group: RenderedGroup): void {
    for (const [k, v] of Object.entries(group.byType)) this.counts.byType[k] = (this.counts.byType[k] ?? 0) + v;
    for (const [k, v] of Object.entries(group.byProfile)) this.counts.byProfile[k] = (this.counts.byProfile[k] ?? 0) + v;
    const writes: Promise<void>[] = [];
    for (const { file, start, end } of group.bundles) {
      // A member's first bundle is not listed (one per member, see openFile); its further parts are.
      if (!file.startsWith('bundles/member-') || /-\d+-\d+\.json$/.test(file)) this.files.add(file);
      this.counts.bundles++;
      if (group.bundlesWritten) continue;
      const write = this.writeBundle(join(this.dir, file), group.bytes.subarray(start, end));
      if (write) writes.push(write);
    }
    for (const { type, start, end } of group.ndjson) this.ndjsonFile(type).write(group.bytes.subarray(start, end));
    if (!this.releaseWritten) return;
    if (writes.length) void Promise.all(writes).then(() => releaseBytes(group.bytes));
    else releaseBytes(group.bytes);
  }

  /** Writes a bundle file; streaming, returns the write (it never rejects: a failure is kept for drained()/finished()). */
  private writeBundle(path: string, bytes: Uint8Array): Promise<void> | undefined {
    if (!this.streaming) {
      writeFileSync(path, bytes);
      return undefined;
    }
    const write: Promise<void> = writeFile(path, bytes).then(
      () => void this.pending.delete(write),
      (error: unknown) => {
        this.pending.delete(write);
        this.failure ??= error;
      },
    );
    this.pending.add(write);
    return write;
  }

  private ndjsonFile(type: string): BufferedFile {
    let file = this.ndjson.get(type);
    if (file === undefined) {
      file = new BufferedFile(this.openFile(`ndjson/${type}${shardSuffix(this.shard)}.ndjson`));
      this.ndjson.set(type, file);
    }
    return file;
  }

  private openFile(relative: string): number {
    // Member bundles are not listed one by one, so that memory does not grow with the population.
    if (!relative.startsWith('bundles/member-')) this.files.add(relative);
    return openSync(join(this.dir, relative), 'w');
  }
}

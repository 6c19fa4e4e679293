import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { Bundle } from '@medplum/fhirtypes';
import Database from 'libsql';
import { bulkRow, plainPuts, resourceRow, splitLines, type BulkRow } from './bulk-text.js';
import type { BundleRows, ChunkRows, WorkerMessage } from './bulk-load.js';

/**
 * Worker thread of the SQLite store's first build (started by bulk-load.ts, `workerData.keys` the file it stages
 * index keys in). A task is a chunk of an NDJSON file (whole lines, UTF-8 bytes) or a whole bundle file, its buffer
 * transferred: the answer holds the rows to append (bulkRow) without their keys, an empty type where the ordinary
 * path must take a line or entry, and the buffer itself, transferred back (decoded again only for such a line). The
 * keys wait here until the main thread sends the rows' `seq`s (0: not appended), then go to this worker's own
 * SQLite file; `finish` indexes them in key order (sorted here, in parallel with the other workers) and closes it.
 */
const db = new Database((workerData as { keys: string }).keys);
db.pragma('journal_mode = OFF');
db.pragma('synchronous = OFF');
// Small sorter runs sort faster (see SORT_CACHE_KIB in open.ts); the staging table only appends.
db.pragma('cache_size = -2048');
db.pragma('temp_store = FILE');
db.exec('CREATE TABLE IF NOT EXISTS stage (k TEXT NOT NULL, seq INTEGER NOT NULL)');
const stage = db.prepare('INSERT INTO stage (k, seq) SELECT value, ? FROM json_each(?)');
/** Each chunk's rows' keys (JSON arrays), until its seqs come. */
const pending = new Map<number, string[]>();

parentPort!.on('message', (message: WorkerMessage) => {
  if (message.kind === 'seqs') {
    const keys = pending.get(message.chunk) ?? [];
    pending.delete(message.chunk);
    db.exec('BEGIN');
    for (let i = 0; i < keys.length; i++) if (message.seqs[i]! > 0) stage.run(message.seqs[i], keys[i]);
    db.exec('COMMIT');
    return;
  }
  if (message.kind === 'finish') {
    db.exec('CREATE INDEX stage_order ON stage (k, seq)');
    db.close();
    parentPort!.postMessage({ finished: true });
    return;
  }
  const now = new Date().toISOString();
  const keys: string[] = [];
  const answer = message.kind === 'lines' ? chunkRows(message.bytes, now, keys) : bundleRows(message.bytes, now, keys);
  pending.set(message.chunk, keys);
  parentPort!.postMessage(answer, [message.bytes.buffer as ArrayBuffer]);
});

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function push(rows: Pick<ChunkRows, 'type' | 'id' | 'text'>, keys: string[], row: BulkRow | undefined): void {
  rows.type.push(row?.type ?? '');
  rows.id.push(row?.id ?? '');
  rows.text.push(row?.text ?? '');
  keys.push(row?.keys ?? '');
}

function chunkRows(bytes: Uint8Array, now: string, keys: string[]): ChunkRows {
  const lines = splitLines(text(bytes));
  const rows: ChunkRows = { lines: lines.length, line: [], type: [], id: [], text: [], bytes };
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.trim();
    if (!source) continue;
    rows.line.push(i + 1);
    push(rows, keys, bulkRow(source, randomUUID(), now));
  }
  return rows;
}

function bundleRows(bytes: Uint8Array, now: string, keys: string[]): BundleRows {
  const rows: BundleRows = { plain: false, type: [], id: [], text: [], bytes };
  let bundle: Bundle;
  try {
    bundle = JSON.parse(text(bytes)) as Bundle;
  } catch {
    return rows;
  }
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'transaction' || !plainPuts(bundle)) return rows;
  rows.plain = true;
  for (const entry of bundle.entry ?? []) push(rows, keys, resourceRow(entry.resource, randomUUID(), now));
  return rows;
}

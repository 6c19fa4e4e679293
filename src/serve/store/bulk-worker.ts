import { isAscii } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { Bundle } from '@medplum/fhirtypes';
import Database from 'libsql';
import { bulkRow, KEY_PARTS, keyPart, plainPuts, resourceRow, seqRows, splitLines, type BulkRow } from './bulk-text.js';
import type { DatePlan } from './dates.js';
import type { BundleRows, ChunkRows, WorkerMessage } from './bulk-load.js';

/**
 * Worker thread of the SQLite store's first build (started by bulk-load.ts, `workerData.keys` the path prefix of the
 * files it stages index keys in, `workerData.datePlan` the store's date plan, dates.ts). A task is a chunk of an NDJSON
 * file (whole lines, UTF-8 bytes) or a whole bundle file, its buffer transferred: the answer holds the rows to append
 * (bulkRow: text, date and reference rows, the rows under the seq the main thread appends it as) without their keys, an empty type where the ordinary path must take a line or entry,
 * and the buffer itself, transferred back (decoded again only for such a line). Once the answer is sent, the rows'
 * keys go to this worker's own SQLite files, one per key range ({@link keyPart}: `PREFIX-P`), row N's under the seq
 * `base` + N that the main thread appends it as (it leaves out at the merge the seqs it did not append a row as, see
 * bulk-load.ts); `index` P sorts range P's keys (in parallel with
 * the other workers, while the main thread merges the ranges before it) and closes its file; `close` closes the rest
 * and ends the thread.
 */
const { keys: prefix, datePlan } = workerData as { keys: string; datePlan: DatePlan };
const parts = KEY_PARTS.map((_, p) => {
  const db = new Database(`${prefix}-${p}`);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // Small sorter runs sort faster (see SORT_CACHE_KIB in open.ts); the staging table only appends.
  db.pragma('cache_size = -2048');
  db.pragma('temp_store = FILE');
  db.exec('CREATE TABLE IF NOT EXISTS stage (k TEXT NOT NULL, seq INTEGER NOT NULL)');
  return { db, stage: db.prepare('INSERT INTO stage (k, seq) SELECT value, ? FROM json_each(?)') };
});

let closed = false;

parentPort!.on('message', (message: WorkerMessage) => {
  // A task sent after `close` (a bundle whose read ended once the load stopped): its keys have no file to go to, and
  // a call on a closed libsql database panics the process.
  if (closed) return;
  if (message.kind === 'close') {
    // The main thread's last message: this thread then ends on its own (bulk-load.ts Pool.close).
    closed = true;
    for (const { db } of parts) if (db.open) db.close();
    parentPort!.close();
    return;
  }
  if (message.kind === 'index') {
    const { db } = parts[message.part]!;
    // One transaction from the first staged key to here: no commit (and its writes) per chunk.
    if (db.inTransaction) db.exec('COMMIT');
    db.exec('CREATE INDEX stage_order ON stage (k, seq)');
    db.close();
    parentPort!.postMessage({ indexed: message.part });
    return;
  }
  const now = new Date().toISOString();
  const keys: string[] = [];
  const answer = message.kind === 'lines' ? chunkRows(message.bytes, now, keys, message.base) : bundleRows(message.bytes, now, keys, message.base);
  parentPort!.postMessage(answer, [message.bytes.buffer as ArrayBuffer]);
  stage(keys, message.base);
});

/** Stages each row's keys (a JSON array, '' for none) under the seq `base` + its place in the task's rows. */
function stage(keys: string[], base: number): void {
  for (let i = 0; i < keys.length; i++) {
    // `["T|…`: the range of the row's type code (all its keys begin with it).
    if (keys[i]!.length < 3) continue;
    const part = parts[keyPart(keys[i]![2]!)]!;
    if (!part.db.inTransaction) part.db.exec('BEGIN');
    part.stage.run(base + i, keys[i]);
  }
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Appends `row` (undefined: the ordinary path's) as the task's next row, to be stored as seq `base` + its place. */
function push(rows: Pick<ChunkRows, 'type' | 'id' | 'text' | 'dates' | 'refs'>, keys: string[], row: BulkRow | undefined, base: number): void {
  const { dates, refs } = row ? seqRows(row.rows, base + rows.type.length) : { dates: '', refs: '' };
  rows.type.push(row?.type ?? '');
  rows.id.push(row?.id ?? '');
  rows.text.push(row?.text ?? '');
  rows.dates.push(dates);
  rows.refs.push(refs);
  keys.push(row?.keys ?? '');
}

function chunkRows(bytes: Uint8Array, now: string, keys: string[], base: number): ChunkRows {
  const lines = chunkLines(bytes);
  const rows: ChunkRows = { lines: lines.length, line: [], type: [], id: [], text: [], dates: [], refs: [], bytes };
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.trim();
    if (!source) continue;
    rows.line.push(i + 1);
    push(rows, keys, bulkRow(source, randomUUID(), now, datePlan), base);
  }
  return rows;
}

/**
 * The chunk's lines as splitLines makes them, each decoded on its own: a chunk decoded whole is one string of
 * megabytes, which took V8 about 30 times as long as its lines one by one (as Latin-1 when the chunk is ASCII, which
 * UTF-8 then is). A chunk holding a CR (which may end a line alone) is left to splitLines.
 */
function chunkLines(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.indexOf(13) >= 0) return splitLines(buffer.toString('utf8'));
  const ascii = isAscii(buffer);
  const lines: string[] = [];
  for (let start = 0; start < buffer.length; ) {
    let end = buffer.indexOf(10, start);
    if (end < 0) end = buffer.length;
    lines.push(buffer.toString(ascii ? 'latin1' : 'utf8', start, end));
    start = end + 1;
  }
  return lines;
}

function bundleRows(bytes: Uint8Array, now: string, keys: string[], base: number): BundleRows {
  const rows: BundleRows = { plain: false, type: [], id: [], text: [], dates: [], refs: [], bytes };
  let bundle: Bundle;
  try {
    bundle = JSON.parse(text(bytes)) as Bundle;
  } catch {
    return rows;
  }
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'transaction' || !plainPuts(bundle)) return rows;
  rows.plain = true;
  for (const entry of bundle.entry ?? []) push(rows, keys, resourceRow(entry.resource, randomUUID(), now, datePlan), base);
  return rows;
}

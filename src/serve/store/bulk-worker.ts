import { randomUUID } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { bulkRow } from './bulk-text.js';
import type { ChunkRows } from './bulk-load.js';

/**
 * Worker thread of the SQLite store's first build (started by bulk-load.ts): each message is a chunk of an NDJSON
 * file (whole lines, UTF-8 bytes, transferred); the answer holds, per non-blank line, the line itself and the row to
 * append (bulkRow), or an empty type for a line the ordinary path must take.
 */
parentPort!.on('message', ({ bytes }: { bytes: Uint8Array }) => {
  // readline's line breaks: LF, CRLF and a lone CR.
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').split(/\r?\n|\r/);
  const count = lines.length - (lines[lines.length - 1] === '' ? 1 : 0);
  const now = new Date().toISOString();
  const rows: ChunkRows = { lines: count, line: [], source: [], type: [], id: [], text: [], keys: [] };
  for (let i = 0; i < count; i++) {
    const source = lines[i]!.trim();
    if (!source) continue;
    const row = bulkRow(source, randomUUID(), now);
    rows.line.push(i + 1);
    rows.source.push(source);
    rows.type.push(row?.type ?? '');
    rows.id.push(row?.id ?? '');
    rows.text.push(row?.text ?? '');
    rows.keys.push(row?.keys ?? '');
  }
  parentPort!.postMessage(rows);
});

import { open } from 'node:fs/promises';

/**
 * Reading the files of the SQLite store's first build for its worker threads (bulk-load.ts): an NDJSON file in
 * chunks of whole lines and a bundle file whole, each in a buffer of its own (moved to a worker, not copied), and the
 * counts that bound a task's rows before it is parsed (each row is numbered ahead: bulk-load.ts WorkerMessage).
 */

/** Larger JSON files take loadDirectory's own path on the main thread: a worker's heap is small. */
const MAX_BUNDLE_BYTES = 16 << 20;

/** A file's bytes in a buffer of its own (to move to a worker); undefined for a file above MAX_BUNDLE_BYTES. */
export async function readWhole(file: string): Promise<Uint8Array | undefined> {
  const input = await open(file, 'r');
  try {
    const { size } = await input.stat();
    if (size > MAX_BUNDLE_BYTES) return undefined;
    const buffer = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await input.read(buffer, filled, size - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await input.close();
  }
}

/** The file's bytes in chunks of whole lines (the last may lack its line break), each in a buffer of its own. */
export async function* readChunks(input: Awaited<ReturnType<typeof open>>, chunkBytes: number): AsyncGenerator<Uint8Array> {
  let carry = Buffer.alloc(0);
  let size = chunkBytes;
  for (;;) {
    const buffer = Buffer.allocUnsafeSlow(Math.max(size, carry.length * 2));
    carry.copy(buffer);
    const { bytesRead } = await input.read(buffer, carry.length, buffer.length - carry.length, null);
    const filled = carry.length + bytesRead;
    if (bytesRead === 0) {
      if (filled) yield buffer.subarray(0, filled);
      return;
    }
    const end = buffer.lastIndexOf(10, filled - 1);
    if (end < 0) {
      // A line longer than the buffer: read on into a larger one.
      carry = buffer.subarray(0, filled);
      size = buffer.length * 2;
      continue;
    }
    carry = Buffer.from(buffer.subarray(end + 1, filled));
    size = chunkBytes;
    yield buffer.subarray(0, end + 1);
  }
}

/** An entry's request key, which every entry of a transaction of plain PUTs has: their count bounds a bundle's rows. */
const REQUEST = Buffer.from('"request"');

/** How many times a bundle file's bytes hold `"request"`: at least its entries when it is a transaction of plain PUTs. */
export function requestKeys(bytes: Uint8Array): number {
  return occurrences(bytes, REQUEST);
}

/** How many times `needle` occurs in `bytes` (not overlapping). */
function occurrences(bytes: Uint8Array, needle: Uint8Array | number): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const step = typeof needle === 'number' ? 1 : needle.length;
  let count = 0;
  for (let at = buffer.indexOf(needle); at >= 0; at = buffer.indexOf(needle, at + step)) count++;
  return count;
}

/**
 * The line breaks in an NDJSON chunk as splitLines (bulk-text.ts) counts them at most (LF, and CR when it holds one):
 * its lines, less one.
 */
export function lineBreaks(bytes: Uint8Array): number {
  const lf = occurrences(bytes, 10);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(13) >= 0 ? lf + occurrences(bytes, 13) : lf;
}

import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import type { BundleScope } from './bundle-scope.js';
import { scanKeys, type LineKeys } from './key-scan.js';
import { cannotRead, jsonErrorText, jsonPlace, readFile, type ReadProblem } from './read.js';

/** Where a resource starts in its file: its ordinal among the file's resources, and (NDJSON) its line's byte offset and number (1-based). */
export interface Position {
  ordinal: number;
  byte: number;
  line: number;
  /** A Bundle file read by its entries: the resource's index in `Bundle.entry`. */
  entry?: number;
}

export interface FileSink {
  /** `scope`: the Bundle the resource was an entry of (a .json transaction, batch, collection or searchset). */
  resource(r: Resource, at: Position, scope?: BundleScope): void;
  /**
   * When given, an NDJSON line whose `resourceType` and `id` the key scan reads without parsing (scanKeys)
   * comes here instead of to `resource` (a Bundle, or anything unusual, still comes parsed to `resource`),
   * with the line's bytes (a view of a reused buffer: read it before returning).
   */
  keys?(keys: LineKeys, at: Position, bytes: Buffer): void;
  problem(p: ReadProblem): void;
  /** A file holding no FHIR resource: JSON that is not FHIR, or an empty file (.json or .ndjson). */
  skipped(file: string): void;
}

const CHUNK = 1 << 20;

/**
 * Reads one file a resource at a time, as readResources reads it (a Bundle's entries, a single resource,
 * or NDJSON lines; unreadable lines and files are problems). NDJSON is read in 1 MiB chunks, so memory
 * does not grow with the file; from `start` (a position an earlier pass reported) up to, not including,
 * resource `endOrdinal`. A JSON file is parsed whole (one Bundle or resource). Throws a UserError when
 * the file cannot be read.
 */
export function streamFile(file: string, sink: FileSink, start: Position = { ordinal: 0, byte: 0, line: 1 }, endOrdinal = Infinity): void {
  try {
    if (extname(file) !== '.ndjson') {
      let ordinal = 0;
      const problems: ReadProblem[] = [];
      const skippedFiles: string[] = [];
      readFile(file, (r, scope, entry) => sink.resource(r, { ordinal: ordinal++, byte: 0, line: 0, ...(entry === undefined ? {} : { entry }) }, scope), { problems, skippedFiles });
      problems.forEach((p) => sink.problem(p));
      skippedFiles.forEach((f) => sink.skipped(f));
      return;
    }
    let ordinal = start.ordinal;
    let data = false;
    const keys: LineKeys = { resourceType: '', id: undefined };
    for (const { buf, from, to, byte, line } of ndjsonLines(file, start.byte, start.line)) {
      if (ordinal >= endOrdinal) return;
      if (sink.keys && scanKeys(buf, from, to, keys)) {
        sink.keys(keys, { ordinal: ordinal++, byte, line }, buf.subarray(from, to));
        data = true;
        continue;
      }
      const text = buf.toString('utf8', from, to);
      if (!text.trim()) continue;
      data = true;
      let r: Resource;
      try {
        r = JSON.parse(text) as Resource;
      } catch (error) {
        sink.problem({ file, line, column: jsonPlace(text, error as Error).column, message: `invalid JSON: ${jsonErrorText(error as Error)}` });
        continue;
      }
      if (typeof r?.resourceType !== 'string') sink.problem({ file, line, message: 'not a FHIR resource (no resourceType)' });
      else sink.resource(r, { ordinal: ordinal++, byte, line });
    }
    // A file with no line of data (empty, or blank lines only) is skipped, as an empty .json is (read.ts readFile).
    if (!data && start.byte === 0) sink.skipped(file);
  } catch (error) {
    throw cannotRead(error);
  }
}

/**
 * The lines of a file from a byte offset (the start of a line): each as `buf[from, to)` (the buffer is reused:
 * read a line before taking the next), with its byte offset in the file and 1-based number.
 */
function* ndjsonLines(file: string, startByte: number, startLine: number): Generator<{ buf: Buffer; from: number; to: number; byte: number; line: number }> {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = startByte;
  let carry: Buffer | undefined;
  let carryStart = startByte;
  let line = startLine;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      const chunk = carry?.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      const chunkStart = carry?.length ? carryStart : pos;
      pos += n;
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
        yield { buf: chunk, from, to: nl, byte: chunkStart + from, line: line++ };
        from = nl + 1;
      }
      carry = Buffer.from(chunk.subarray(from));
      carryStart = chunkStart + from;
    }
    if (carry?.length) yield { buf: carry, from: 0, to: carry.length, byte: carryStart, line };
  } finally {
    closeSync(fd);
  }
}

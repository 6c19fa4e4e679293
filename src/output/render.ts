import type { Resource } from '@medplum/fhirtypes';
import { accountCsvRow, type TestAccount } from './accounts.js';
import { stableUuid, transactionBundle } from './bundle.js';
import { referencesInText, splitIndexes } from './split.js';
import type { OutputFormat } from './writer.js';

/** How a group of resources is turned into text. */
export interface RenderOptions {
  formats: ReadonlySet<OutputFormat>;
  /** Entries per bundle file at most: a larger group goes to `<name>-2.json`, `<name>-3.json`, … */
  maxBundleEntries: number;
  /** Indented bundles (2 spaces) for people who read them; compact (one line) by default. NDJSON is always compact. */
  pretty?: boolean;
}

/** A stretch of RenderedGroup.bytes: [start, end) in bytes. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * One member (or the directory) as the bytes the writer puts in files. `bytes` holds all of them,
 * UTF-8, in a buffer of its own (its `buffer` is exactly this group's, so that a worker thread can
 * transfer it to the writer without a copy): the bundle files one after the other, then the NDJSON
 * lines (each ending in a newline) of each resource type together. `bundles` names the bundle files
 * (relative to the output directory) in order; `ndjson` each type's lines in order of first appearance.
 */
export interface RenderedGroup {
  bytes: Uint8Array;
  bundles: (ByteRange & { file: string })[];
  ndjson: (ByteRange & { type: string })[];
  byType: Record<string, number>;
  byProfile: Record<string, number>;
  account?: { csv: string; json: string };
  /**
   * The bundle files were written by the thread that rendered the group (renderGroup's `writeBundle`): `bundles` names
   * them (their ranges are empty) and `bytes` holds the NDJSON lines only.
   */
  bundlesWritten?: boolean;
  /** A member's provider attribution: Patient id → the Organization ids it is attributed to (src/fhir/pdex/attribution.ts). */
  attribution?: [string, string[]][];
}

/** The text of a stretch of a group's bytes (for tests and tools; the writer writes the bytes as they are). */
export function groupText(group: RenderedGroup, range: ByteRange): string {
  return Buffer.from(group.bytes.buffer, group.bytes.byteOffset + range.start, range.end - range.start).toString('utf8');
}

/**
 * Serialises each resource once (JSON.stringify, compact) and encodes that text once, into the
 * compact bundle; the NDJSON line is a copy of those bytes. A compact bundle's bytes are exactly
 * `JSON.stringify(transactionBundle(part)) + '\n'`. With `pretty`, bundles are indented (a second
 * stringify, for people reading the files) and the NDJSON lines encoded on their own. Few strings
 * and no joined copies are made on the way (the bytes live outside the JS heap), and each resource's
 * text is encoded as soon as it is made, so that one at a time is alive; only a member split across bundle
 * files keeps them all first, to read their references from the text (split.ts referencesInText): issue 13.
 * With `writeBundle`, each bundle file is handed to it (synchronously, a view of this thread's buffer: write it before
 * returning) as soon as it is made, and the group comes back with `bundlesWritten` and only its NDJSON lines in
 * `bytes`: generate's building threads write their own bundle files, so that only the NDJSON bytes, half of a
 * member's, travel to the writer's thread and wait there (issue 13).
 */
export function renderGroup(
  bundleFile: string,
  resources: readonly Resource[],
  options: RenderOptions,
  account?: TestAccount,
  writeBundle?: (file: string, bytes: Uint8Array) => void,
): RenderedGroup {
  const byType: Record<string, number> = {};
  const byProfile: Record<string, number> = {};
  // Each type's resources, by position, in order of first appearance.
  const ofType = new Map<string, number[]>();
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1;
    for (const p of r.meta?.profile ?? []) byProfile[p] = (byProfile[p] ?? 0) + 1;
    let list = ofType.get(r.resourceType);
    if (list === undefined) ofType.set(r.resourceType, (list = []));
    list.push(i);
  }
  const sink = scratch();
  // Where each resource's compact text already is in the sink (start; -1: not written yet), and its end.
  const starts = new Int32Array(resources.length).fill(-1);
  const ends = new Int32Array(resources.length);
  const bundles: RenderedGroup['bundles'] = [];
  // A member split across files: each resource's text first, and its references read from that text (split.ts).
  const split = options.formats.has('bundles') && !options.pretty && resources.length > options.maxBundleEntries;
  const texts = split ? resources.map((r) => JSON.stringify(r)) : undefined;
  if (options.formats.has('bundles')) {
    const parts = texts ? splitIndexes(resources, options.maxBundleEntries, (i) => referencesInText(texts[i]!)) : splitIndexes(resources, options.maxBundleEntries);
    for (const [i, part] of parts.entries()) {
      const file = i === 0 ? bundleFile : bundleFile.replace(/\.json$/, `-${i + 1}.json`);
      const start = sink.length;
      if (options.pretty) sink.text(`${JSON.stringify(transactionBundle(part.map((k) => resources[k]!)), null, 2)}\n`);
      else compactBundle(sink, part, resources, texts, starts, ends);
      if (writeBundle) {
        writeBundle(file, sink.view(start, sink.length));
        bundles.push({ file, start: 0, end: 0 });
      } else bundles.push({ file, start, end: sink.length });
    }
  }
  // Written already: the group's bytes begin with its NDJSON lines.
  const from = writeBundle ? sink.length : 0;
  const ndjson: RenderedGroup['ndjson'] = [];
  if (options.formats.has('ndjson')) {
    for (const [type, list] of ofType) {
      const start = sink.length;
      for (const k of list) {
        if (starts[k]! < 0) sink.text(JSON.stringify(resources[k]));
        else sink.copy(starts[k]!, ends[k]!);
        sink.byte(0x0a);
      }
      ndjson.push({ type, start: start - from, end: sink.length - from });
    }
  }
  return {
    bytes: sink.take(from),
    bundles,
    ...(writeBundle ? { bundlesWritten: true } : {}),
    ndjson,
    byType,
    byProfile,
    ...(account ? { account: { csv: accountCsvRow(account), json: JSON.stringify(account) } } : {}),
  };
}

/** The transaction bundle of `part` from each resource's compact text (`texts`, else made here): the bytes of JSON.stringify(transactionBundle(part)) + '\n'. */
function compactBundle(sink: ByteSink, part: readonly number[], resources: readonly Resource[], texts: readonly string[] | undefined, starts: Int32Array, ends: Int32Array): void {
  sink.text('{"resourceType":"Bundle","type":"transaction","entry":[');
  for (let n = 0; n < part.length; n++) {
    const k = part[n]!;
    const r = resources[k]!;
    const url = `${r.resourceType}/${r.id}`;
    sink.text(`${n ? ',' : ''}{"fullUrl":"urn:uuid:${stableUuid(url)}","resource":`);
    starts[k] = sink.length;
    sink.text(texts?.[k] ?? JSON.stringify(r));
    ends[k] = sink.length;
    sink.text(`,"request":{"method":"PUT","url":${JSON.stringify(url)}}}`);
  }
  sink.text(']}\n');
}

/**
 * Frees the memory of bytes that nothing will read again now, rather than when a garbage collection finds their
 * ArrayBuffer unreachable: the buffer is detached (moved into a clone nobody keeps, which dies young), and `bytes`
 * and every view of that buffer read as empty afterwards. Only a buffer that is exactly `bytes` (a RenderedGroup's
 * own, a ByteSink's) is released; a view into a larger or shared buffer (Buffer's small-allocation pool) is left as
 * it is. Members' bytes are ~100 MB a second of native memory: left to the collector they waited for the writer
 * thread's next full collection (V8 starts one per 64 MB of external memory) and stayed in malloc's arenas (issue 13).
 */
export function releaseBytes(bytes: Uint8Array): void {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && buffer.byteLength > 0) {
    structuredClone(buffer, { transfer: [buffer] });
  }
}

/**
 * A growing byte buffer, reused from group to group on one thread (one per thread: module state is
 * per worker), so that encoding a member allocates nothing but its final copy.
 */
class ByteSink {
  private buf = Buffer.allocUnsafeSlow(1 << 21);
  length = 0;

  /** Appends the UTF-8 bytes of `s`. */
  text(s: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
    this.room(s.length * 3);
    this.length += this.buf.write(s, this.length, 'utf8');
  }

  /** Appends a copy of the bytes [start, end) already written. */
  copy(start: number, end: number): void {
    this.room(end - start);
    // Within one buffer: copyWithin makes no view per call as Buffer.copy does (a member's NDJSON lines: issue 13).
    this.buf.copyWithin(this.length, start, end);
    this.length += end - start;
  }

  /** Appends one byte (a newline after each NDJSON line), without a call into the UTF-8 encoder. */
  byte(value: number): void {
    this.room(1);
    this.buf[this.length++] = value;
  }

  /** The bytes [start, end) already written, as a view of the sink's buffer: valid until the next write. */
  view(start: number, end: number): Uint8Array {
    return this.buf.subarray(start, end);
  }

  /** The bytes written from `from` on, in an ArrayBuffer of their own; the sink is empty again. */
  take(from = 0): Uint8Array {
    // allocUnsafeSlow: an ArrayBuffer of exactly this length, not zero-filled first (it is overwritten at once).
    const out = Buffer.allocUnsafeSlow(this.length - from);
    this.buf.copy(out, 0, from, this.length);
    this.length = 0;
    return out;
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + bytes) size *= 2;
    const bigger = Buffer.allocUnsafeSlow(size);
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}

let shared: ByteSink | undefined;
function scratch(): ByteSink {
  shared ??= new ByteSink();
  shared.length = 0;
  return shared;
}

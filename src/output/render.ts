import type { Resource } from '@medplum/fhirtypes';
import { accountCsvRow, type TestAccount } from './accounts.js';
import { stableUuid } from './bundle.js';
import { referencesInText, splitKeys } from './split.js';
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
 * renderGroup of the resources given at once: see GroupRenderer, which renders each resource as it comes. A compact
 * bundle's bytes are exactly `JSON.stringify(transactionBundle(part)) + '\n'`; a pretty one's are exactly
 * `JSON.stringify(transactionBundle(part), null, 2) + '\n'`.
 */
export function renderGroup(
  bundleFile: string,
  resources: Iterable<Resource>,
  options: RenderOptions,
  account?: TestAccount,
  writeBundle?: (file: string, bytes: Uint8Array) => void,
): RenderedGroup {
  const renderer = new GroupRenderer(options);
  for (const r of resources) renderer.add(r);
  return renderer.finish(bundleFile, account, writeBundle);
}

/**
 * Renders a group (a member, the directory) one resource at a time, as its builders make them: `add` serialises the
 * resource at once (JSON.stringify, compact; with `pretty` also indented) and encodes the text into this thread's
 * byte sink, keeping only its type, `Type/id` and counts, so that neither the resource objects nor their texts outlive
 * the next scavenge (a member's ~300 resources were all built before any was rendered, so they were copied by
 * scavenges and promoted: GC was 23 % of generate's samples; issue 13). `finish` then lays out the bundle files
 * (split by references read back from the encoded texts, split.ts) and the NDJSON lines from those bytes. One
 * renderer at a time per thread uses the shared sink; `add` after `finish` throws.
 */
export class GroupRenderer {
  private readonly sink: ByteSink;
  private readonly pretty: boolean;
  private readonly byType: Record<string, number> = {};
  private readonly byProfile: Record<string, number> = {};
  /** Each type's resources, by position, in order of first appearance. */
  private readonly ofType = new Map<string, number[]>();
  /** `Type/id` of each resource, by position. */
  private readonly keys: string[] = [];
  /** Where each resource's compact text is in the sink: [starts[i], ends[i]), then a newline; with `pretty`, its indented text follows up to prettyEnds[i]. */
  private starts = new Int32Array(512);
  private ends = new Int32Array(512);
  private prettyEnds = new Int32Array(512);
  private finished = false;

  constructor(private readonly options: RenderOptions) {
    this.sink = borrowSink();
    this.pretty = options.pretty === true && options.formats.has('bundles');
  }

  /** The resources added so far. */
  get size(): number {
    return this.keys.length;
  }

  /** Serialises and encodes `r` now; the renderer keeps no reference to it. */
  add(r: Resource): void {
    if (this.finished) throw new Error('GroupRenderer.add after finish');
    const i = this.keys.length;
    if (i === this.starts.length) this.grow();
    const type = r.resourceType;
    this.byType[type] = (this.byType[type] ?? 0) + 1;
    const profiles = r.meta?.profile;
    if (profiles) for (const p of profiles) this.byProfile[p] = (this.byProfile[p] ?? 0) + 1;
    let list = this.ofType.get(type);
    if (list === undefined) this.ofType.set(type, (list = []));
    list.push(i);
    this.keys.push(`${type}/${r.id}`);
    const { sink } = this;
    this.starts[i] = sink.length;
    sink.text(JSON.stringify(r));
    this.ends[i] = sink.length;
    // The NDJSON line's newline, in place: a type's consecutive lines are then one stretch to copy out (finish).
    sink.byte(0x0a);
    // Indented as JSON.stringify(bundle, null, 2) indents a resource at entry[n].resource: 6 more spaces a line.
    if (this.pretty) sink.text(JSON.stringify(r, null, 2).replaceAll('\n', '\n      '));
    this.prettyEnds[i] = sink.length;
  }

  /**
   * The group's bytes (see RenderedGroup): its bundle files named after `bundleFile` (`<name>-2.json`, … past
   * maxBundleEntries) and its NDJSON lines. With `writeBundle`, each bundle file is handed to it (synchronously, a view
   * of this thread's buffer: write it before returning) as soon as it is made, and the group comes back with
   * `bundlesWritten` and only its NDJSON lines in `bytes`: generate's building threads write their own bundle files, so
   * that only the NDJSON bytes, half of a member's, travel to the writer's thread and wait there (issue 13).
   */
  finish(bundleFile: string, account?: TestAccount, writeBundle?: (file: string, bytes: Uint8Array) => void): RenderedGroup {
    if (this.finished) throw new Error('GroupRenderer.finish called twice');
    this.finished = true;
    const { sink, options, keys, starts, ends, prettyEnds } = this;
    // The encoded texts (each compact one followed by its newline) are [0, staged); the bundle files are laid out
    // after them. A bundle handed to writeBundle is overwritten by the next, so that the sink holds the texts and one
    // bundle, not the texts, every bundle and the NDJSON lines (a heavy member's 3 times its bytes kept the sink at
    // 16 MiB in each thread, for the rest of the run; issue 13).
    const staged = sink.length;
    const bundles: RenderedGroup['bundles'] = [];
    if (options.formats.has('bundles')) {
      const refs = (i: number) => referencesInText(sink.string(starts[i]!, ends[i]!));
      for (const [n, part] of splitKeys(keys, options.maxBundleEntries, refs).entries()) {
        const file = n === 0 ? bundleFile : bundleFile.replace(/\.json$/, `-${n + 1}.json`);
        const start = sink.length;
        if (this.pretty) prettyBundle(sink, part, keys, ends, prettyEnds);
        else compactBundle(sink, part, keys, starts, ends);
        if (writeBundle) {
          writeBundle(file, sink.view(start, sink.length));
          sink.length = start;
          bundles.push({ file, start: 0, end: 0 });
        } else bundles.push({ file, start: start - staged, end: sink.length - staged });
      }
    }
    // The group's bytes, copied once into a buffer of their own: the bundle files not written yet, then the NDJSON
    // lines of each type, straight from the texts.
    const withNdjson = options.formats.has('ndjson');
    let lineBytes = 0;
    if (withNdjson) for (let k = 0; k < keys.length; k++) lineBytes += ends[k]! - starts[k]! + 1;
    const bundleBytes = sink.length - staged;
    // allocUnsafeSlow: an ArrayBuffer of exactly this length (transferable, releasable), not zero-filled first.
    const bytes = Buffer.allocUnsafeSlow(bundleBytes + lineBytes);
    sink.copyOut(staged, sink.length, bytes, 0);
    let at = bundleBytes;
    const ndjson: RenderedGroup['ndjson'] = [];
    if (withNdjson) {
      for (const [type, list] of this.ofType) {
        const start = at;
        for (let n = 0; n < list.length; ) {
          // A run of this type's resources whose lines follow each other in the sink: one copy.
          const from = starts[list[n]!]!;
          let to = ends[list[n]!]! + 1;
          while (++n < list.length && starts[list[n]!] === to) to = ends[list[n]!]! + 1;
          at += sink.copyOut(from, to, bytes, at);
        }
        ndjson.push({ type, start, end: at });
      }
    }
    sink.length = 0;
    returnSink(sink);
    return {
      bytes,
      bundles,
      ...(writeBundle ? { bundlesWritten: true } : {}),
      ndjson,
      byType: this.byType,
      byProfile: this.byProfile,
      ...(account ? { account: { csv: accountCsvRow(account), json: JSON.stringify(account) } } : {}),
    };
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const bigger = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.starts = bigger(this.starts);
    this.ends = bigger(this.ends);
    this.prettyEnds = bigger(this.prettyEnds);
  }
}

/** A transaction bundle of `part` (compact) from each resource's encoded text: the bytes of JSON.stringify(transactionBundle(part)) + '\n'. */
function compactBundle(sink: ByteSink, part: readonly number[], keys: readonly string[], starts: Int32Array, ends: Int32Array): void {
  sink.text('{"resourceType":"Bundle","type":"transaction","entry":[');
  for (let n = 0; n < part.length; n++) {
    const k = part[n]!;
    const url = keys[k]!;
    sink.text(`${n ? ',' : ''}{"fullUrl":"urn:uuid:${stableUuid(url)}","resource":`);
    sink.copy(starts[k]!, ends[k]!);
    sink.text(`,"request":{"method":"PUT","url":${JSON.stringify(url)}}}`);
  }
  sink.text(']}\n');
}

/** The same bundle indented: the bytes of JSON.stringify(transactionBundle(part), null, 2) + '\n' (each indented text follows its compact one and newline). */
function prettyBundle(sink: ByteSink, part: readonly number[], keys: readonly string[], ends: Int32Array, prettyEnds: Int32Array): void {
  sink.text('{\n  "resourceType": "Bundle",\n  "type": "transaction",\n  "entry": [');
  for (let n = 0; n < part.length; n++) {
    const k = part[n]!;
    const url = keys[k]!;
    sink.text(`${n ? ',' : ''}\n    {\n      "fullUrl": "urn:uuid:${stableUuid(url)}",\n      "resource": `);
    sink.copy(ends[k]! + 1, prettyEnds[k]!);
    sink.text(`,\n      "request": {\n        "method": "PUT",\n        "url": ${JSON.stringify(url)}\n      }\n    }`);
  }
  sink.text(part.length ? '\n  ]\n}\n' : ']\n}\n');
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

  /** The buffer's size in bytes. */
  get capacity(): number {
    return this.buf.length;
  }

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

  /** The bytes [start, end) already written, decoded as UTF-8. */
  string(start: number, end: number): string {
    return this.buf.toString('utf8', start, end);
  }

  /** The bytes [start, end) already written, as a view of the sink's buffer: valid until the next write. */
  view(start: number, end: number): Uint8Array {
    return this.buf.subarray(start, end);
  }

  /** Copies the bytes [start, end) already written into `target` at `at`; returns how many (end − start). */
  copyOut(start: number, end: number, target: Uint8Array, at: number): number {
    return this.buf.copy(target, at, start, end);
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
/** The size in bytes of this thread's render buffer (0 before the first group): for tests and tools (it only grows). */
export function sinkCapacity(): number {
  return shared?.capacity ?? 0;
}

/** This thread's sink (empty), or a new one while a renderer holds it. */
function borrowSink(): ByteSink {
  const sink = shared ?? new ByteSink();
  shared = undefined;
  sink.length = 0;
  return sink;
}
function returnSink(sink: ByteSink): void {
  shared = sink;
}

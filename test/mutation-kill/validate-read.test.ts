import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cannotRead, formatReadProblem, inputFiles, jsonErrorPosition, jsonErrorText, readResources, type ReadProblem } from '../../src/validate/read.js';
import { streamFile, type Position } from '../../src/validate/read-stream.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/output.js';

/**
 * How `validate` reads its input (issue 19, mutation testing of src/validate/read.ts and read-stream.ts): files and
 * directories, Bundles, NDJSON lines, the problems located by file:line:column, and the streaming reader's
 * positions (ordinal, byte, line) that work units restart from, across its 1 MiB chunks. Small files in a temp
 * directory, no IG package loaded: well under a second, so Stryker can run it per mutant.
 */

const temp = tempDir('fhirseed-mk-read-');
afterAll(() => temp.cleanup());
let n = 0;
/** A fresh directory under the temp dir. */
const fresh = () => {
  const d = join(temp.dir, `d${n++}`);
  mkdirSync(d);
  return d;
};

/** What streamFile told, in order. */
function streamed(file: string, start?: Position, end?: number, withKeys = false) {
  const events: unknown[] = [];
  streamFile(
    file,
    {
      resource: (r, at) => events.push({ r: `${r.resourceType}/${r.id}`, at }),
      ...(withKeys ? { keys: (k: { resourceType: string; id: string | undefined }, at: Position) => events.push({ k: `${k.resourceType}/${k.id}`, at }) } : {}),
      problem: (p) => events.push({ p }),
      skipped: (f) => events.push({ skipped: f }),
    },
    start,
    end,
  );
  return events;
}

describe('readResources and inputFiles', () => {
  it('should read Bundles of the four kinds by entry, other resources whole, NDJSON by line, and skip non-FHIR JSON', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'sub'));
    const entries = (id: string) => [{ resource: { resourceType: 'Patient', id } }, { fullUrl: 'https://example.org/fhir/Patient/gone', request: { method: 'DELETE', url: 'Patient/gone' } }, { response: { status: '200' } }];
    for (const type of ['transaction', 'batch', 'collection', 'searchset']) writeFileSync(join(dir, `b-${type}.json`), JSON.stringify({ resourceType: 'Bundle', type, entry: entries(type) }));
    writeFileSync(join(dir, 'b-none.json'), JSON.stringify({ resourceType: 'Bundle', type: 'batch' }));
    writeFileSync(join(dir, 'c-document.json'), JSON.stringify({ resourceType: 'Bundle', id: 'doc', type: 'document', entry: entries('in-doc') }));
    writeFileSync(join(dir, 'd-manifest.json'), JSON.stringify({ generator: 'fhirseed' }));
    writeFileSync(join(dir, 'e-null.json'), 'null');
    writeFileSync(join(dir, 'notes.txt'), 'not read');
    writeFileSync(join(dir, 'sub', 'f.ndjson'), '{"resourceType":"Observation","id":"o1"}\n\n  \n{"id":"x"}\n5\n{"resourceType":"Observation","id":"o2"}');
    const read = readResources([dir]);
    // Files in name order, directories recursed into.
    expect(read.resources.map((r) => `${r.resourceType}/${r.id}`)).toEqual([
      // b-none.json, a batch without entries, is one Bundle to validate (s17 trial U F4), not "no FHIR data".
      'Patient/batch', 'Patient/collection', 'Bundle/undefined', 'Patient/searchset', 'Patient/transaction', 'Bundle/doc', 'Observation/o1', 'Observation/o2',
    ]);
    expect(read.skippedFiles).toEqual([join(dir, 'd-manifest.json'), join(dir, 'e-null.json')]);
    expect(read.problems).toEqual([
      { file: join(dir, 'sub', 'f.ndjson'), line: 4, message: 'not a FHIR resource (no resourceType)' },
      { file: join(dir, 'sub', 'f.ndjson'), line: 5, message: 'not a FHIR resource (no resourceType)' },
    ]);
    expect(read.duplicates).toBe(0);
    expect(inputFiles([dir])).toEqual([
      ...['b-batch', 'b-collection', 'b-none', 'b-searchset', 'b-transaction', 'c-document', 'd-manifest', 'e-null'].map((f) => join(dir, `${f}.json`)),
      join(dir, 'sub', 'f.ndjson'),
    ]);
    expect(inputFiles([join(dir, 'sub', 'f.ndjson'), join(dir, 'e-null.json')])).toEqual([join(dir, 'sub', 'f.ndjson'), join(dir, 'e-null.json')]);
  });

  it('should keep the first of resources seen twice and count the others, but never count a resource without id', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.ndjson'), ['{"resourceType":"Patient","id":"p"}', '{"resourceType":"Patient"}', '{"resourceType":"Patient"}', '{"resourceType":"Patient","id":"p","n":2}', '{"resourceType":"Group","id":"p"}'].join('\n'));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ resourceType: 'Patient', id: 'p', n: 3 }));
    const read = readResources([dir]);
    expect(read.resources).toEqual([{ resourceType: 'Patient', id: 'p' }, { resourceType: 'Patient' }, { resourceType: 'Patient' }, { resourceType: 'Group', id: 'p' }]);
    expect(read.duplicates).toBe(2);
  });

  it('should locate invalid JSON by file, line and column', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.ndjson'), '{"resourceType":"Patient","id":"p"}\n{"resourceType":"Patient" "id":"q"}\n{"a":}\n{"resourceType":"Patient","id":"r"}\n');
    writeFileSync(join(dir, 'b.json'), '{\n  "resourceType": "Patient",\n  "id" "p"\n}');
    writeFileSync(join(dir, 'c.json'), '{"a":\n');
    const read = readResources([dir]);
    expect(read.resources.map((r) => r.id)).toEqual(['p', 'r']);
    expect(read.problems).toEqual([
      { file: join(dir, 'a.ndjson'), line: 2, column: 27, message: "invalid JSON: Expected ',' or '}' after property value" },
      { file: join(dir, 'a.ndjson'), line: 3, column: 6, message: `invalid JSON: Unexpected token '}', "{"a":}" is not valid JSON` },
      { file: join(dir, 'b.json'), line: 3, column: 8, message: 'invalid JSON: Unexpected string' },
      { file: join(dir, 'c.json'), line: 1, column: 6, message: 'invalid JSON: Unexpected end of JSON input' },
    ]);
    expect(read.problems.map(formatReadProblem)).toEqual([
      `${join(dir, 'a.ndjson')}:2:27: invalid JSON: Expected ',' or '}' after property value`,
      `${join(dir, 'a.ndjson')}:3:6: invalid JSON: Unexpected token '}', "{"a":}" is not valid JSON`,
      `${join(dir, 'b.json')}:3:8: invalid JSON: Unexpected string`,
      `${join(dir, 'c.json')}:1:6: invalid JSON: Unexpected end of JSON input`,
    ]);
  });

  it('should refuse a missing path, a file of another kind, and an unreadable entry, each in one line naming it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'x.txt'), '');
    symlinkSync(join(dir, 'nowhere'), join(dir, 'broken.json'));
    for (const read of [readResources, inputFiles]) {
      expect(() => read([join(dir, 'missing')])).toThrow(new UserError(`${join(dir, 'missing')}: no such file or directory`));
      expect(() => read([join(dir, 'x.txt')])).toThrow(new UserError(`${join(dir, 'x.txt')}: not a .json or .ndjson file (validate reads FHIR JSON: Bundles, resources, NDJSON)`));
      expect(() => read([dir])).toThrow(new UserError(`${join(dir, 'broken.json')}: cannot read (ENOENT)`));
      expect(() => read([dir])).toThrow(UserError);
    }
    // A named directory is read whatever its name; a named .json file is read.
    const named = join(fresh(), 'resources.d');
    mkdirSync(named);
    writeFileSync(join(named, 'p.json'), '{"resourceType":"Patient","id":"p"}');
    expect(readResources([named]).resources).toHaveLength(1);
    expect(readResources([join(named, 'p.json')]).resources).toHaveLength(1);
  });

  it('should read a Bundle whose entry is not an array as one resource, for the base check to report, not fail', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ resourceType: 'Bundle', id: 'five', type: 'collection', entry: 5 }));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ resourceType: 'Bundle', id: 'obj', type: 'batch', entry: { resource: { resourceType: 'Patient', id: 'p' } } }));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ resourceType: 'Bundle', id: 'nulls', type: 'transaction', entry: [null, { resource: { resourceType: 'Patient', id: 'q' } }] }));
    const read = readResources([dir]);
    expect(read.resources.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Bundle/five', 'Bundle/obj', 'Patient/q']);
    expect(read.problems).toEqual([{ file: join(dir, 'c.json'), message: 'Bundle.entry[0]: no resource, request or response (bdl-5)', kind: 'bundle' }]);
    expect(streamed(join(dir, 'a.json'))).toEqual([{ r: 'Bundle/five', at: { ordinal: 0, byte: 0, line: 0 } }]);    // Only a Bundle is taken by its entries, whatever another resource's `type` says.
    writeFileSync(join(dir, 'd.json'), JSON.stringify({ resourceType: 'Basic', id: 'odd', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'r' } }] }));
    expect(streamed(join(dir, 'd.json'))).toEqual([{ r: 'Basic/odd', at: { ordinal: 0, byte: 0, line: 0 } }]);
  });

  it('should report an entry of an unpacked Bundle with no resource, request or response (bdl-5), not drop it unsaid', () => {
    const dir = fresh();
    const entry = [{ fullUrl: 'urn:x' }, { resource: null }, { resource: { resourceType: 'Patient', id: 'p' } }, { request: { method: 'DELETE', url: 'Patient/q' } }, { response: { status: '201' } }];
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry }));
    const read = readResources([dir]);
    expect(read.resources.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Patient/p']);
    const problem = (i: number) => ({ file: join(dir, 'a.json'), message: `Bundle.entry[${i}]: no resource, request or response (bdl-5)`, kind: 'bundle' });
    expect(read.problems).toEqual([problem(0), problem(1)]);
    expect(streamed(join(dir, 'a.json'))).toEqual([{ r: 'Patient/p', at: { ordinal: 0, byte: 0, line: 0, entry: 2 } }, { p: problem(0) }, { p: problem(1) }]);
  });

  it('should report entries sharing a fullUrl unless their meta.versionId differs (bdl-7), at the entry', () => {
    const dir = fresh();
    const url = 'urn:uuid:0b1e2b8c-4b7a-4f8e-9a3e-1d2c3b4a5f60';
    const patient = (id: string, versionId?: string) => ({ resourceType: 'Patient', id, ...(versionId ? { meta: { versionId } } : {}) });
    const entry = [
      { fullUrl: url, resource: patient('a') },
      { fullUrl: 'urn:uuid:0b1e2b8c-4b7a-4f8e-9a3e-1d2c3b4a5f61', resource: patient('b') },
      { fullUrl: url, resource: patient('c') },
      { fullUrl: url, resource: patient('d', '2') },
      { fullUrl: url, resource: patient('e', '2') },
    ];
    const text = JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry }, null, 1);
    writeFileSync(join(dir, 'a.json'), text);
    // entry[2].resource's `{` stands on the `"resource": {` line, two above its id.
    const entry2 = text.split('\n').findIndex((l) => l.includes('"id": "c"')) - 1;
    const read = readResources([dir]);
    expect(read.resources.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(read.problems.map((p) => p.message)).toEqual([
      `Bundle.entry[2].fullUrl "${url}" is also Bundle.entry[0]'s (bdl-7: entries sharing a fullUrl must differ in meta.versionId)`,
      `Bundle.entry[4].fullUrl "${url}" is also Bundle.entry[3]'s, with the same meta.versionId (bdl-7: entries sharing a fullUrl must differ in meta.versionId)`,
    ]);
    expect(read.problems[0]).toMatchObject({ file: join(dir, 'a.json'), line: entry2 });
    // A history Bundle holds versions of one resource under one fullUrl: read as one resource, not by its entries.
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ resourceType: 'Bundle', type: 'history', entry }));
    expect(readResources([dir]).problems).toEqual([]);
  });

  it('should list files in JavaScript string order, not the order the file system gives', () => {
    // libuv lists a directory in UTF-8 byte order, which puts U+E000 before U+1F600; UTF-16 order is the other way.
    const dir = fresh();
    for (const name of ['a', '\uE000', '\u{1F600}']) writeFileSync(join(dir, `${name}.json`), '{"resourceType":"Patient"}');
    expect(inputFiles([dir])).toEqual(['a', '\u{1F600}', '\uE000'].map((name) => join(dir, `${name}.json`)));
  });

  it('should read a named NDJSON file', () => {
    const file = join(fresh(), 'p.ndjson');
    writeFileSync(file, '{"resourceType":"Patient","id":"p"}\n');
    expect(readResources([file]).resources).toEqual([{ resourceType: 'Patient', id: 'p' }]);
    expect(inputFiles([file])).toEqual([file]);
  });

  it('should turn only file system errors into a UserError', () => {
    const plain = new Error('boom');
    expect(cannotRead(plain)).toBe(plain);
    const e = Object.assign(new Error('EACCES'), { code: 'EACCES', path: '/x/y.json' });
    expect(cannotRead(e)).toEqual(new UserError('/x/y.json: cannot read (EACCES)'));
    expect(cannotRead(e)).toBeInstanceOf(UserError);
    for (const odd of [{ code: 'EACCES' }, { path: '/x' }, { code: 13, path: '/x' }, { code: 'E', path: 5 }]) {
      const o = Object.assign(new Error('odd'), odd);
      expect(cannotRead(o)).toBe(o);
    }
  });
});

describe('jsonErrorPosition, jsonErrorText, formatReadProblem', () => {
  it('should place the position of the message on its line and column, and the end of the input at its end', () => {
    expect(jsonErrorPosition('ab\ncd\nef', new Error('x at position 4'))).toEqual({ line: 2, column: 2 });
    expect(jsonErrorPosition('ab\ncd\nef', new Error('x at position 0'))).toEqual({ line: 1, column: 1 });
    expect(jsonErrorPosition('ab\ncd\nef', new Error('x at position 12'))).toEqual({ line: 3, column: 3 });
    expect(jsonErrorPosition('{"a":\n  \n', new Error('Unexpected end of JSON input'))).toEqual({ line: 1, column: 6 });
    expect(jsonErrorPosition('{"a":', new Error('something else'))).toBeUndefined();
    expect(jsonErrorPosition('{"a":', new Error('at position x'))).toBeUndefined();
  });

  it('should drop the position from the message, and only at its end', () => {
    expect(jsonErrorText(new Error('Bad thing in JSON at position 12'))).toBe('Bad thing');
    expect(jsonErrorText(new Error('Bad thing in JSON at position 12 (line 2 column 3)'))).toBe('Bad thing');
    expect(jsonErrorText(new Error('Bad thing in JSON at position 1200 (line 12 column 30)'))).toBe('Bad thing');
    expect(jsonErrorText(new Error('Bad thing in JSON at position 12 more'))).toBe('Bad thing in JSON at position 12 more');
    expect(jsonErrorText(new Error('Bad in JSON at position  (line 2 column 3)'))).toBe('Bad in JSON at position  (line 2 column 3)');
    expect(jsonErrorText(new Error('Bad in JSON at position 1 (line 2 column 3) x'))).toBe('Bad in JSON at position 1 (line 2 column 3) x');
  });

  it('should give line and column only when known', () => {
    const p = (x: Partial<ReadProblem>) => formatReadProblem({ file: 'f.ndjson', message: 'm', ...x });
    expect(p({})).toBe('f.ndjson: m');
    expect(p({ line: 3 })).toBe('f.ndjson:3: m');
    expect(p({ line: 3, column: 4 })).toBe('f.ndjson:3:4: m');
    expect(p({ column: 4 })).toBe('f.ndjson: m');
  });
});

describe('streamFile', () => {
  it('should read a JSON file whole: a Bundle by entry with ordinals, its problems, or the file skipped', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'a' } }, { resource: { resourceType: 'Patient', id: 'b' } }] }));
    writeFileSync(join(dir, 'bad.json'), '{"resourceType":');
    writeFileSync(join(dir, 'm.json'), '{"generator":"fhirseed"}');
    expect(streamed(join(dir, 'b.json'))).toEqual([
      { r: 'Patient/a', at: { ordinal: 0, byte: 0, line: 0, entry: 0 } },
      { r: 'Patient/b', at: { ordinal: 1, byte: 0, line: 0, entry: 1 } },
    ]);
    expect(streamed(join(dir, 'bad.json'))).toEqual([{ p: { file: join(dir, 'bad.json'), line: 1, column: 17, message: 'invalid JSON: Unexpected end of JSON input' } }]);
    expect(streamed(join(dir, 'm.json'))).toEqual([{ skipped: join(dir, 'm.json') }]);
  });

  it('should read NDJSON by line with ordinal, byte offset and line number, and locate bad lines', () => {
    const file = join(fresh(), 'a.ndjson');
    const lines = ['{"resourceType":"Patient","id":"a"}', '', '  ', 'not json', '{"id":"x"}', '{"resourceType":"Bundle","id":"b","entry":[]}', '{"resourceType":"Patient","id":"c"}'];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const byte = (i: number) => lines.slice(0, i).reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
    // "not json": Node 20's JSON.parse names no position for an unexpected token; the token's own place is the column.
    const problems = [
      { p: { file, line: 4, column: 2, message: `invalid JSON: Unexpected token 'o', "not json" is not valid JSON` } },
      { p: { file, line: 5, message: 'not a FHIR resource (no resourceType)' } },
    ];
    expect(streamed(file)).toEqual([
      { r: 'Patient/a', at: { ordinal: 0, byte: 0, line: 1 } },
      ...problems,
      { r: 'Bundle/b', at: { ordinal: 1, byte: byte(5), line: 6 } },
      { r: 'Patient/c', at: { ordinal: 2, byte: byte(6), line: 7 } },
    ]);
    // With a keys sink, the lines the key scan reads come there; a Bundle still comes parsed.
    expect(streamed(file, undefined, undefined, true)).toEqual([
      { k: 'Patient/a', at: { ordinal: 0, byte: 0, line: 1 } },
      ...problems,
      { r: 'Bundle/b', at: { ordinal: 1, byte: byte(5), line: 6 } },
      { k: 'Patient/c', at: { ordinal: 2, byte: byte(6), line: 7 } },
    ]);
    // From a position an earlier pass reported, up to (not including) an ordinal.
    expect(streamed(file, { ordinal: 1, byte: byte(5), line: 6 })).toEqual([
      { r: 'Bundle/b', at: { ordinal: 1, byte: byte(5), line: 6 } },
      { r: 'Patient/c', at: { ordinal: 2, byte: byte(6), line: 7 } },
    ]);
    expect(streamed(file, { ordinal: 1, byte: byte(5), line: 6 }, 2)).toEqual([{ r: 'Bundle/b', at: { ordinal: 1, byte: byte(5), line: 6 } }]);
    expect(streamed(file, undefined, 1)).toEqual([{ r: 'Patient/a', at: { ordinal: 0, byte: 0, line: 1 } }]);
    expect(streamed(file, undefined, 0)).toEqual([]);
    // A line with a column: the parser names the position.
    const col = join(fresh(), 'c.ndjson');
    writeFileSync(col, '{"resourceType":"Patient" "id":"q"}');
    expect(streamed(col)).toEqual([{ p: { file: col, line: 1, column: 27, message: "invalid JSON: Expected ',' or '}' after property value" } }]);
  });

  it('should read the last line without a newline, and a file of blank lines as nothing', () => {
    const dir = fresh();
    // A blank first line, a line that is JSON null.
    writeFileSync(join(dir, 'n.ndjson'), '\nnull\n{"resourceType":"Patient","id":"a"}\n');
    expect(streamed(join(dir, 'n.ndjson'))).toEqual([
      { p: { file: join(dir, 'n.ndjson'), line: 2, message: 'not a FHIR resource (no resourceType)' } },
      { r: 'Patient/a', at: { ordinal: 0, byte: 6, line: 3 } },
    ]);
    writeFileSync(join(dir, 'a.ndjson'), '{"resourceType":"Patient","id":"a"}\n{"resourceType":"Patient","id":"b"}');
    expect(streamed(join(dir, 'a.ndjson'))).toEqual([
      { r: 'Patient/a', at: { ordinal: 0, byte: 0, line: 1 } },
      { r: 'Patient/b', at: { ordinal: 1, byte: 36, line: 2 } },
    ]);
    // A file with no data is skipped (and said), as an empty .json is (s17 trial U F4).
    writeFileSync(join(dir, 'b.ndjson'), '\n\n');
    expect(streamed(join(dir, 'b.ndjson'))).toEqual([{ skipped: join(dir, 'b.ndjson') }]);
    writeFileSync(join(dir, 'c.ndjson'), '');
    expect(streamed(join(dir, 'c.ndjson'))).toEqual([{ skipped: join(dir, 'c.ndjson') }]);
  });

  it.runIf(existsSync('/proc/self/fd'))('should close every file it opens, read to the end or stopped early', () => {
    const file = join(fresh(), 'fd.ndjson');
    writeFileSync(file, '{"resourceType":"Patient","id":"a"}\n{"resourceType":"Patient","id":"b"}\n');
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) {
      streamed(file);
      streamed(file, undefined, 1);
    }
    expect(open()).toBe(before);
  });

  it('should throw a UserError naming a file it cannot open', () => {
    const file = join(fresh(), 'gone.ndjson');
    expect(() => streamed(file)).toThrow(new UserError(`${file}: cannot read (ENOENT)`));
    expect(() => streamed(join(fresh(), 'gone.json'))).toThrow(UserError);
  });

  it('should give every resource of a file over several 1 MiB chunks at its own byte and line, and restart there', () => {
    // Lines of random lengths (multi-byte characters included), some blank or broken, over about 2.5 MiB.
    const file = join(fresh(), 'big.ndjson');
    const lines: string[] = [];
    const rng = fc.sample(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 40 })), { numRuns: 1800, seed: 19 });
    rng.forEach(([len, kind], i) => {
      if (kind === 0) lines.push('');
      else if (kind === 1) lines.push('{broken');
      else lines.push(JSON.stringify({ resourceType: 'Basic', id: `b${i}`, text: 'é'.repeat(len % 7) + 'x'.repeat(len) }));
    });
    writeFileSync(file, lines.join('\n'));
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(2.2 * 2 ** 20);
    const all = streamed(file) as { r?: string; at?: Position; p?: ReadProblem }[];
    const resources = all.filter((e) => e.r);
    expect(resources.map((e) => e.r)).toEqual(lines.flatMap((l) => (l.startsWith('{"') ? [`Basic/${JSON.parse(l).id}`] : [])));
    expect(all.filter((e) => e.p).map((e) => e.p!.line)).toEqual(lines.flatMap((l, i) => (l === '{broken' ? [i + 1] : [])));
    for (const [k, e] of resources.entries()) {
      expect(e.at!.ordinal).toBe(k);
      const line = lines[e.at!.line - 1]!;
      expect(bytes.subarray(e.at!.byte, e.at!.byte + Buffer.byteLength(line)).toString()).toBe(line);
    }
    // Restarting at any resource's position reads on from there, as the whole read did.
    for (const k of [1, 300, resources.length - 1, Math.floor(resources.length / 2)]) {
      const rest = streamed(file, resources[k]!.at, k + 40).filter((e) => (e as { r?: string }).r);
      expect(rest).toEqual(resources.slice(k, k + 40));
    }
  });
});

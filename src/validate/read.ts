import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { LineCounter, parseDocument } from 'yaml';
import { UserError } from '../util/errors.js';
import { jsonSyntaxError } from '../util/json-text.js';
import { bundleScope, fullUrlProblem, type BundleScope } from './bundle-scope.js';

/** A file or line that could not be read as FHIR, located by file and (for NDJSON) line. */
export interface ReadProblem {
  file: string;
  /** 1-based; for NDJSON the record's line, for JSON where the parser stopped. */
  line?: number;
  /** 1-based, where the JSON parser stopped (when it says). */
  column?: number;
  message: string;
  /**
   * What the problem is, for its label: absent when the file or line cannot be read as FHIR (`unreadable:`);
   * `bundle` when a Bundle file read fine but breaks a rule of the Bundle itself, which is read by its entries and
   * never validated as a resource (bdl-5, bdl-7, the fullUrl's form); `repeated` when a `Type/id` read fine but
   * differs from its first place (repeats.ts).
   */
  kind?: 'bundle' | 'repeated';
}

export interface ReadResult {
  resources: Resource[];
  problems: ReadProblem[];
  /** Resources seen more than once (e.g. both in bundles/ and ndjson/ of one output): kept once. */
  duplicates: number;
  /** JSON files that hold no FHIR resource (manifests, test accounts): skipped. */
  skippedFiles: string[];
  /** The Bundle each resource read from a transaction, batch, collection or searchset Bundle was an entry of (Validator.validate's `scopeOf`). */
  scopes: Map<Resource, BundleScope>;
}

/**
 * Reads resources from files and directories (recursively): `.json` holding a Bundle (its entries are
 * taken) or a single resource, and `.ndjson` with one resource per line. A line or file that is not
 * JSON is a ReadProblem (file, line, column), and the rest is read. Throws a UserError for a path that
 * does not exist, a named file that is not .json/.ndjson, or a file or directory that cannot be read.
 */
export function readResources(paths: readonly string[]): ReadResult {
  const result: ReadResult = { resources: [], problems: [], duplicates: 0, skippedFiles: [], scopes: new Map() };
  const seen = new Set<string>();
  const add = (r: Resource, scope?: BundleScope) => {
    const key = `${r.resourceType}/${r.id}`;
    if (r.id !== undefined && seen.has(key)) {
      result.duplicates++;
      return;
    }
    seen.add(key);
    result.resources.push(r);
    if (scope) result.scopes.set(r, scope);
  };
  for (const path of paths) {
    if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`);
    if (!statSync(path).isDirectory() && !['.json', '.ndjson'].includes(extname(path))) {
      throw new UserError(`${path}: not a .json or .ndjson file (validate reads FHIR JSON: Bundles, resources, NDJSON)`);
    }
    try {
      for (const file of listFiles(path)) readFile(file, add, result);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (typeof e.code !== 'string' || typeof e.path !== 'string') throw error;
      throw new UserError(`${e.path}: cannot read (${e.code})`);
    }
  }
  return result;
}

/**
 * The .json/.ndjson files under the paths (recursively, sorted), in reading order. Throws a UserError for a
 * path that does not exist, a named file that is not .json/.ndjson, or a directory that cannot be read.
 */
export function inputFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`);
    if (!statSync(path).isDirectory() && !['.json', '.ndjson'].includes(extname(path))) {
      throw new UserError(`${path}: not a .json or .ndjson file (validate reads FHIR JSON: Bundles, resources, NDJSON)`);
    }
    try {
      files.push(...listFiles(path));
    } catch (error) {
      throw cannotRead(error);
    }
  }
  return files;
}

/** A UserError for a file system error naming its path; anything else unchanged. */
export function cannotRead(error: unknown): unknown {
  const e = error as NodeJS.ErrnoException;
  if (typeof e.code !== 'string' || typeof e.path !== 'string') return error;
  return new UserError(`${e.path}: cannot read (${e.code})`);
}

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const p = join(path, name);
      if (statSync(p).isDirectory()) return listFiles(p);
      return ['.json', '.ndjson'].includes(extname(name)) ? [p] : [];
    });
}

/**
 * Reads one .json or .ndjson file into `add` (a Bundle's entries with the Bundle's scope, for their `urn:` references,
 * bundle-scope.ts, and their index in `Bundle.entry`), its problems and skipped file into `result`. Throws what readFileSync throws.
 */
export function readFile(file: string, add: (r: Resource, scope?: BundleScope, entry?: number) => void, result: Pick<ReadResult, 'problems' | 'skippedFiles'>): void {
  const text = readFileSync(file, 'utf8');
  if (extname(file) === '.ndjson') {
    let data = false;
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      data = true;
      try {
        const r = JSON.parse(line) as Resource;
        if (typeof r?.resourceType !== 'string') result.problems.push({ file, line: i + 1, message: 'not a FHIR resource (no resourceType)' });
        else add(r);
      } catch (error) {
        result.problems.push({ file, line: i + 1, column: jsonPlace(line, error as Error).column, message: `invalid JSON: ${jsonErrorText(error as Error)}` });
      }
    });
    if (!data) result.skippedFiles.push(file);
    return;
  }
  // An empty file holds no data, whichever its extension: skipped as an empty .ndjson is (validate's exit 2 only when nothing read is data).
  if (!text.trim()) {
    result.skippedFiles.push(file);
    return;
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (error) {
    result.problems.push({ file, ...jsonPlace(text, error as Error), message: `invalid JSON: ${jsonErrorText(error as Error)}` });
    return;
  }
  if (typeof json?.resourceType !== 'string') {
    result.skippedFiles.push(file);
    return;
  }
  // A Bundle whose entry is not an array, or has no entries (an empty search page; `"entry": []` breaks FHIR JSON), is
  // read as one resource, so that the base check reports what is wrong with it.
  if (json.resourceType === 'Bundle' && ['transaction', 'batch', 'collection', 'searchset'].includes(json.type) && Array.isArray(json.entry) && json.entry.length > 0) {
    const scope = bundleScope(json);
    // bdl-7 (R4 Bundle): entries sharing a fullUrl must differ in meta.versionId. The Bundle itself is not validated as
    // a resource (its entries are), so its invariant is checked here.
    const fullUrls = new Map<string, number>();
    json.entry.forEach((entry: any, i: number) => {
      if (typeof entry?.fullUrl === 'string') {
        const form = fullUrlProblem(entry.fullUrl);
        if (form) result.problems.push({ file, ...entryPosition(text, i, 'fullUrl'), message: `Bundle.entry[${i}].fullUrl ${form}`, kind: 'bundle' });
        const version = entry.resource?.meta?.versionId;
        const key = `${entry.fullUrl}|${typeof version === 'string' ? version : ''}`;
        const first = fullUrls.get(key);
        if (first === undefined) fullUrls.set(key, i);
        else result.problems.push({ file, ...entryPosition(text, i), message: `Bundle.entry[${i}].fullUrl ${JSON.stringify(entry.fullUrl)} is also Bundle.entry[${first}]'s${version ? `, with the same meta.versionId` : ''} (bdl-7: entries sharing a fullUrl must differ in meta.versionId)`, kind: 'bundle' });
      }
      if (entry?.resource && typeof entry.resource.resourceType !== 'string') {
        const what = typeof entry.resource !== 'object' || Array.isArray(entry.resource) ? 'is not a JSON object' : 'has no resourceType';
        result.problems.push({ file, ...entryPosition(text, i), message: `Bundle.entry[${i}].resource ${what}` });
      } else if (entry?.resource) add(entry.resource as Resource, scope, i);
      // An entry with a request or response only (a DELETE, an answer) has nothing to validate; one with none of
      // the three breaks bdl-5, which the entry's own check would have reported had it been read as a resource.
      else if (!entry?.request && !entry?.response) result.problems.push({ file, message: `Bundle.entry[${i}]: no resource, request or response (bdl-5)`, kind: 'bundle' });
    });
  } else add(json as Resource);
}

/**
 * Line and column (1-based) of `entry[i].resource` (or `entry[i].fullUrl`'s value) in a Bundle's JSON text, by a
 * position-keeping parse (the yaml package reads JSON as YAML 1.2); undefined when it cannot say. Only on a
 * problem's path: slower than JSON.parse.
 */
function entryPosition(text: string, i: number, field: 'resource' | 'fullUrl' = 'resource'): { line: number; column: number } | undefined {
  try {
    const lines = new LineCounter();
    const node = parseDocument(text, { lineCounter: lines }).getIn(['entry', i, field], true) as { range?: [number, number, number] } | undefined;
    if (!node?.range) return undefined;
    const { line, col } = lines.linePos(node.range[0]);
    return { line, column: col };
  } catch {
    return undefined;
  }
}

/** Line and column (1-based) where JSON.parse stopped, from the position in its message or, at the end of the input, the end. */
export function jsonErrorPosition(text: string, error: Error): { line: number; column: number } | undefined {
  const m = /at position (\d+)/.exec(error.message);
  const offset = m ? Number(m[1]) : /Unexpected end of JSON input/.test(error.message) ? text.trimEnd().length : undefined;
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/**
 * Line and column (1-based) where JSON.parse stopped on `text`: from the position in its message, else (an unexpected
 * token, which V8 names without a position) where the shortest failing prefix ends (json-text.ts jsonSyntaxError).
 */
export function jsonPlace(text: string, error: Error): { line: number; column: number } {
  const at = jsonErrorPosition(text, error);
  if (at) return at;
  const { line, column } = jsonSyntaxError(text, error);
  return { line, column };
}

/** JSON.parse's message without the position, which the location already gives. */
export function jsonErrorText(error: Error): string {
  return error.message.replace(/ in JSON at position \d+( \(line \d+ column \d+\))?$/, '');
}

/** `file:line:column: message` (line and column when known) for a read problem. */
export function formatReadProblem(p: ReadProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}${p.line && p.column ? `:${p.column}` : ''}: ${p.message}`;
}

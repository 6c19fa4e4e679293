import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Resource } from '@medplum/fhirtypes';
import { UserError } from '../util/errors.js';
import { jsonSyntaxError, parseJsonText } from '../util/json-text.js';

/** Maps a reference as written (`Patient/x`, a bundle's `urn:uuid:…` fullUrl) to `Type/id` where known. */
export type ResolveReference = (reference: string) => string;

/** Where a resource was read: its file, and its line in an NDJSON file (undefined in a `.json` file). */
export interface ResourcePlace {
  file: string;
  line?: number;
}

/**
 * Called once per resource read, in file order; `resolve` knows the fullUrls of the resource's Bundle; `at` is
 * where it was read (a Bundle's entries all have the Bundle's place).
 */
export type ResourceSink = (resource: Resource, resolve: ResolveReference, at: ResourcePlace) => void;

/** What was read: files with resources, and resources in all. */
export interface ReadCounts {
  files: number;
  resources: number;
}

/** The seeder's checkpoint and dead letters: not data. */
const SKIPPED_DIRS = new Set(['seed-state']);

/**
 * Streams every resource under `path` (a directory, read recursively in name order, or one file) to
 * `sink`: NDJSON files line by line, `.json` files holding a Bundle (its entries) or one resource;
 * JSON without a `resourceType` (manifest, test accounts) is skipped. In a fhirseed output directory
 * holding both `bundles/` and `ndjson/`, only `ndjson/` is read (the same resources twice).
 * A byte order mark at the start of a file is skipped (RFC 8259 §8.1).
 * Throws UserError (one line naming the file and line, and the column in a `.json` file) for an unreadable
 * path, a corrupt NDJSON line or JSON file, and when no FHIR resource is found.
 */
export async function streamResources(path: string, sink: ResourceSink): Promise<ReadCounts> {
  let files: string[];
  try {
    files = listFiles(path, true);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const counts: ReadCounts = { files: 0, resources: 0 };
  for (const file of files) {
    const before = counts.resources;
    const count: ResourceSink = (r, resolve, at) => {
      counts.resources++;
      sink(r, resolve, at);
    };
    if (extname(file) === '.ndjson') await readNdjson(file, count);
    else readJson(file, count);
    if (counts.resources > before) counts.files++;
  }
  if (!counts.resources) throw new UserError(`${path}: no FHIR resources found (expected .ndjson files, or .json Bundles or resources)`);
  return counts;
}

function listFiles(path: string, top: boolean): string[] {
  if (!statSync(path).isDirectory()) return [path];
  let names = readdirSync(path).sort();
  if (top && names.includes('ndjson') && names.includes('bundles') && statSync(join(path, 'ndjson')).isDirectory()) {
    names = names.filter((n) => n !== 'bundles');
  }
  return names.flatMap((name) => {
    const p = join(path, name);
    if (statSync(p).isDirectory()) return SKIPPED_DIRS.has(name) ? [] : listFiles(p, false);
    return ['.json', '.ndjson'].includes(extname(name)) ? [p] : [];
  });
}

const plainResolve: ResolveReference = (reference) => reference;

async function readNdjson(file: string, sink: ResourceSink): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (!line.trim()) continue;
      let resource: Resource;
      const text = n === 1 ? line.replace(/^\uFEFF/, '') : line;
      try {
        resource = JSON.parse(text) as Resource;
      } catch (error) {
        // The column where the parser stopped, as validate and the profile loader say it.
        const at = jsonSyntaxError(text, error as Error);
        throw new UserError(`${file}:${n}:${at.column}: not JSON (${at.why})`);
      }
      if (typeof resource?.resourceType !== 'string') throw new UserError(`${file}:${n}: not a FHIR resource (no resourceType)`);
      emit(resource, sink, { file, line: n });
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  } finally {
    lines.close();
  }
}

function readJson(file: string, sink: ResourceSink): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const json = parseJsonText<unknown>(text, file);
  if (typeof (json as Resource | null)?.resourceType !== 'string') return;
  emit(json as Resource, sink, { file });
}

/** A Bundle gives its entries (nested Bundles too), each with the Bundle's fullUrl → Type/id map. */
function emit(resource: Resource, sink: ResourceSink, at: ResourcePlace): void {
  if (resource.resourceType !== 'Bundle') {
    sink(resource, plainResolve, at);
    return;
  }
  const entries = (resource.entry ?? []).filter((e) => e?.resource);
  const aliases = new Map<string, string>();
  for (const e of entries) if (e.fullUrl && e.resource?.id) aliases.set(e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`);
  const resolve: ResolveReference = (reference) => aliases.get(reference) ?? reference;
  for (const e of entries) {
    const r = e.resource as Resource;
    if (r.resourceType === 'Bundle') emit(r, sink, at);
    else sink(r, resolve, at);
  }
}

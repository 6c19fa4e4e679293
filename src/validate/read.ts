import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { UserError } from '../util/errors.js';

/** A file or line that could not be read as FHIR, located by file and (for NDJSON) line. */
export interface ReadProblem {
  file: string;
  line?: number;
  message: string;
}

export interface ReadResult {
  resources: Resource[];
  problems: ReadProblem[];
  /** Resources seen more than once (e.g. both in bundles/ and ndjson/ of one output): kept once. */
  duplicates: number;
  /** JSON files that hold no FHIR resource (manifests, test accounts): skipped. */
  skippedFiles: string[];
}

/**
 * Reads resources from files and directories (recursively): `.json` holding a Bundle (its entries are
 * taken) or a single resource, and `.ndjson` with one resource per line.
 */
export function readResources(paths: readonly string[]): ReadResult {
  const result: ReadResult = { resources: [], problems: [], duplicates: 0, skippedFiles: [] };
  const seen = new Set<string>();
  const add = (r: Resource) => {
    const key = `${r.resourceType}/${r.id}`;
    if (r.id !== undefined && seen.has(key)) {
      result.duplicates++;
      return;
    }
    seen.add(key);
    result.resources.push(r);
  };
  for (const path of paths) {
    if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`);
    for (const file of listFiles(path)) readFile(file, add, result);
  }
  return result;
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

function readFile(file: string, add: (r: Resource) => void, result: ReadResult): void {
  const text = readFileSync(file, 'utf8');
  if (extname(file) === '.ndjson') {
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const r = JSON.parse(line) as Resource;
        if (typeof r?.resourceType !== 'string') result.problems.push({ file, line: i + 1, message: 'not a FHIR resource (no resourceType)' });
        else add(r);
      } catch (error) {
        result.problems.push({ file, line: i + 1, message: `invalid JSON: ${(error as Error).message}` });
      }
    });
    return;
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (error) {
    result.problems.push({ file, message: `invalid JSON: ${(error as Error).message}` });
    return;
  }
  if (typeof json?.resourceType !== 'string') {
    result.skippedFiles.push(file);
    return;
  }
  if (json.resourceType === 'Bundle' && ['transaction', 'batch', 'collection', 'searchset'].includes(json.type)) {
    for (const entry of json.entry ?? []) if (entry?.resource) add(entry.resource as Resource);
  } else add(json as Resource);
}

/** `file:line: message` for a read problem. */
export function formatReadProblem(p: ReadProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;
}

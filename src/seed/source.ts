import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { UserError } from '../util/errors.js';
import { parseJsonText } from '../util/json-text.js';
import { checkRunId } from '../util/run-id.js';

/** One resource to load, and where it came from (for dead-letter records). */
export interface SeedEntry {
  resource: Resource;
  type: string;
  id: string;
  /** The file it was read from, relative to the output directory. */
  source: string;
}

/** What a fhirseed output directory offers the seeder. */
export interface SeedSource {
  dir: string;
  runId: string;
  /** Resources per type the manifest(s) promise. */
  expected: Record<string, number>;
  /** bundles/directory.json when present (unsharded runs and shard 1). */
  directoryFile?: string;
  /** bundles/directory-2.json, -3, …: the rest of a directory larger than --max-bundle-entries. */
  directoryParts?: string[];
  /** bundles/member-*.json, in member order: one per member, the unit of the checkpoint. */
  memberFiles: string[];
  /** A split member's further bundles (member-*-2.json, -3, …, in order) by its first file: sent after it, in one work item. */
  memberParts?: Record<string, string[]>;
  /** bundles/provider-attribution.json (and -2, -3, …): the provider-attribution Groups, which name members: sent after them. */
  groupFiles?: string[];
}

interface ManifestLike {
  runId?: unknown;
  counts?: { byType?: Record<string, number> };
}

/**
 * The run id and per-type counts of a fhirseed output directory's manifest(s) (manifest.json, or the
 * shard manifests). Throws a UserError for a missing directory or manifest, a manifest that cannot be read or is not
 * JSON (`FILE:LINE:COLUMN: not JSON (…)`), or manifests of different runs.
 */
export function readManifests(dir: string): { runId: string; expected: Record<string, number> } {
  if (!existsSync(dir)) throw new UserError(`${dir} does not exist; give a directory written by fhirseed generate`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is a file, not a directory; give a directory written by fhirseed generate`);
  const manifests = readdirSync(dir).filter((f) => /^manifest(\.shard-\d+-of-\d+)?\.json$/.test(f)).sort();
  if (!manifests.length) throw new UserError(`${dir} has no manifest.json; give a directory written by fhirseed generate`);
  const expected: Record<string, number> = {};
  const runIds = new Set<string>();
  for (const file of manifests) {
    const manifest = readJsonFile<ManifestLike | null>(join(dir, file)) ?? {};
    if (typeof manifest.runId !== 'string' || !manifest.counts?.byType) throw new UserError(`${join(dir, file)} lacks runId or counts.byType`);
    runIds.add(checkRunId(manifest.runId, `${join(dir, file)}: runId`));
    for (const [type, n] of Object.entries(manifest.counts.byType)) expected[type] = (expected[type] ?? 0) + n;
  }
  if (runIds.size > 1) throw new UserError(`${dir} holds manifests of several runs (${[...runIds].join(', ')}); seed one run at a time`);
  return { runId: [...runIds][0]!, expected };
}

export function readSource(dir: string): SeedSource {
  const { runId, expected } = readManifests(dir);
  const bundlesDir = join(dir, 'bundles');
  if (!existsSync(bundlesDir)) throw new UserError(`${dir} has no bundles/ directory; generate with --format bundles`);
  const files = readdirSync(bundlesDir);
  return {
    dir,
    runId,
    expected,
    directoryFile: files.includes('directory.json') ? 'bundles/directory.json' : undefined,
    directoryParts: inPartOrder(files, /^directory(?:-(\d+))?\.json$/).filter((f) => f !== 'directory.json').map((f) => `bundles/${f}`),
    memberFiles: files.filter((f) => /^member-\d+\.json$/.test(f)).sort().map((f) => `bundles/${f}`),
    memberParts: memberParts(files),
    groupFiles: inPartOrder(files, /^provider-attribution(?:-(\d+))?\.json$/).map((f) => `bundles/${f}`),
  };
}

function memberParts(files: string[]): Record<string, string[]> {
  const parts: Record<string, string[]> = {};
  for (const f of inPartOrder(files, /^member-(\d+)-(\d+)\.json$/)) (parts[`bundles/${f.replace(/-\d+\.json$/, '.json')}`] ??= []).push(`bundles/${f}`);
  return parts;
}

/** The file names matching `pattern`, by its numeric groups (member index, then part: none = 1). */
function inPartOrder(files: string[], pattern: RegExp): string[] {
  const keyed = files.flatMap((f) => {
    const m = pattern.exec(f);
    return m ? [{ f, key: m.slice(1).map((g) => (g === undefined ? 1 : Number(g))) }] : [];
  });
  return keyed.sort((a, b) => a.key.reduce((d, k, i) => d || k - b.key[i]!, 0)).map((k) => k.f);
}

/** The resources of one bundle file, in order; every one must have a type and an id (PUT needs it). */
export function readBundleEntries(dir: string, file: string): SeedEntry[] {
  const bundle = readJsonFile<Bundle | null>(join(dir, file)) ?? ({} as Bundle);
  if (bundle.resourceType !== 'Bundle') throw new UserError(`${join(dir, file)} is not a Bundle`);
  return (bundle.entry ?? []).map((e, i) => {
    const resource = e.resource;
    if (!resource?.resourceType || !resource.id) throw new UserError(`${join(dir, file)}: entry ${i} has no resource with a type and id`);
    return { resource, type: resource.resourceType, id: resource.id, source: file };
  });
}

/**
 * A JSON file of the output: UserError `PATH: cannot read it (CODE)` when it cannot be read, `PATH:LINE:COLUMN: not
 * JSON (…)` where its JSON breaks (as report and validate say it), `PATH: is empty (expected JSON)`.
 */
function readJsonFile<T>(path: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseJsonText<T>(text, path);
}

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScalar, parseDocument, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';

const require = createRequire(import.meta.url);

/** How a profile's YAML is read (src/profile/load.ts): YAML 1.2 core schema, a key twice refused. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { schema: 'core', prettyErrors: false, uniqueKeys: true };

/**
 * The shipped profiles as `yaml` parses them, beside this module in dist/ (`npm run build` writes it:
 * scripts/shipped-profiles.mjs). A profile whose text is one of them byte for byte is then read from this JSON in ~3 ms
 * instead of parsed: parseDocument of default.yaml's 58 KB takes 240–310 ms at `generate`'s start, most of it the
 * yaml library's code running cold (65 ms once warm; issue 13). There is none beside the TypeScript sources (vitest),
 * nor after a bare `tsc`: every profile is parsed then.
 */
export const PREBUILT_FILE = fileURLToPath(new URL('./shipped-profiles.json', import.meta.url));

/** A shipped profile as parsed: the document's `toJS()`, and the source text of its top-level `seed` scalar (load.ts checkSeed). */
export interface PrebuiltProfile {
  raw: unknown;
  seedSource?: string;
}

/** What a profile text parses to under this yaml version and YAML_OPTIONS: a SHA-256 (hex) of the three. */
export function profileTextKey(text: string): string {
  const { version } = require('yaml/package.json') as { version: string };
  return createHash('sha256').update(JSON.stringify([version, YAML_OPTIONS, text])).digest('hex');
}

/**
 * `text` parsed as `npm run build` parsed it, when it is a shipped profile's text (the same key: same text, yaml version
 * and options) and `file` (default PREBUILT_FILE) exists; a fresh object each call (the caller may change it). Else
 * undefined: the caller parses the text itself.
 */
export function prebuiltProfile(text: string, file = PREBUILT_FILE): PrebuiltProfile | undefined {
  let table: Record<string, PrebuiltProfile>;
  try {
    table = JSON.parse(readFileSync(file, 'utf8')) as Record<string, PrebuiltProfile>;
  } catch {
    return undefined;
  }
  const entry = table[profileTextKey(text)];
  return entry && typeof entry === 'object' && 'raw' in entry ? entry : undefined;
}

/**
 * The prebuilt table of the profiles in `dir` (profiles/*.yaml): each one that parses without an error and whose
 * `toJS()` comes back the same through JSON (no `.inf`, `.nan` or `-0`), by profileTextKey.
 */
export function prebuiltProfiles(dir: string): Record<string, PrebuiltProfile> {
  const table: Record<string, PrebuiltProfile> = {};
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    const doc = parseDocument(text, YAML_OPTIONS);
    if (doc.errors.length) continue;
    const raw: unknown = doc.toJS();
    if (!sameThroughJson(raw)) continue;
    const seed = doc.get('seed', true);
    table[profileTextKey(text)] = { raw, ...(isScalar(seed) && seed.range ? { seedSource: text.slice(seed.range[0], seed.range[1]) } : {}) };
  }
  return table;
}

/** Whether `value` is plain JSON data that JSON.parse(JSON.stringify(value)) gives back unchanged. */
function sameThroughJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(sameThroughJson);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value).every(([key, v]) => key !== '__proto__' && sameThroughJson(v));
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { checkTargetRows, targetRowSchema, type TargetRow } from '../profile/targets.js';
import { UserError } from '../util/errors.js';
import { parseJsonText } from '../util/json-text.js';

/** Targets a profile brought along: the rows and how the report names where they came from. */
export interface ProfileTargets {
  rows: TargetRow[];
  /** e.g. `profile commercial-plus (out/manifest.json)`. */
  label: string;
}

const validateRows = new Ajv({ allErrors: false, strict: false }).compile({ type: 'array', items: targetRowSchema });

/**
 * The targets of the profile a fhirseed output was generated from: `generate` copies a profile's
 * `targets:` into `manifest.json` (each shard's `manifest.shard-i-of-N.json` holds the same), so they
 * travel with the output wherever it is moved. Undefined when `path` is not a directory with a
 * fhirseed manifest, or the profile had no targets. Throws UserError (one line naming the manifest, at
 * `FILE:LINE:COLUMN` when it is not JSON; a byte order mark is allowed) when the manifest cannot be read or
 * is not JSON, or its targets are not valid rows.
 */
export function manifestTargets(path: string): ProfileTargets | undefined {
  if (!existsSync(path) || !statSync(path).isDirectory()) return undefined;
  const file = readdirSync(path).filter((f) => /^manifest(\.shard-\d+-of-\d+)?\.json$/.test(f)).sort()[0];
  if (!file) return undefined;
  const where = join(path, file);
  let text: string;
  try {
    text = readFileSync(where, 'utf8');
  } catch (error) {
    throw new UserError(`${where}: not a readable JSON manifest (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  // A byte order mark (an editor's save) is fine; broken JSON is named at its line and column.
  const manifest = parseJsonText<{ generator?: unknown; profile?: unknown; targets?: unknown } | null>(text, where);
  if (manifest?.generator !== 'fhirseed' || manifest.targets === undefined) return undefined;
  const fail = (at: string, problem: string): never => {
    throw new UserError(`${where}: targets${at}: ${problem}`);
  };
  if (!validateRows(manifest.targets)) {
    const error = validateRows.errors![0]!;
    fail(error.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.'), error.message ?? error.keyword);
  }
  const rows = checkTargetRows(structuredClone(manifest.targets as TargetRow[]), (i, field, problem) => fail(`[${i}]${field.map((f) => `.${f}`).join('')}`, problem));
  return { rows, label: `profile ${String(manifest.profile)} (${where})` };
}

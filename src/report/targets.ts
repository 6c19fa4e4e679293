import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ProfileError, UserError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import { checkTargetRows, targetRowSchema, type TargetRow } from '../profile/targets.js';

export { checkTargetRows, targetRowSchema, type TargetRow, type Tolerance } from '../profile/targets.js';

/** A targets file: `targets:` and its rows (YAML or JSON). */
export const targetsFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['targets'],
  properties: { description: { type: 'string' }, targets: { type: 'array', items: targetRowSchema } },
} as const;

const validateFile = new Ajv({ allErrors: false, strict: false }).compile(targetsFileSchema);

/** The built-in targets: profiles/targets/realism.yaml (REALISM-TARGETS.md). */
export function builtInTargetsFile(): string {
  return join(packageRoot(), 'profiles', 'targets', 'realism.yaml');
}

/** Reads a targets file; an unreadable file is a UserError, a bad one a ProfileError at file:line:column. */
export function loadTargets(file = builtInTargetsFile()): TargetRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read the targets file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseTargets(text, file);
}

/** Parses and checks a targets file (YAML or JSON); the first problem throws a ProfileError. */
export function parseTargets(text: string, file: string): TargetRow[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', prettyErrors: false, uniqueKeys: true });
  const fail = (path: (string | number)[], problem: string): never => {
    const { line, col } = lineCounter.linePos(locate(doc, path));
    throw new ProfileError(file, line, col, formatPath(path), problem);
  };
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    throw new ProfileError(file, line, col, '', `YAML: ${yamlError.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS();
  if (!validateFile(raw)) {
    const error = validateFile.errors?.[0] as ErrorObject;
    const path = error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    if (error.keyword === 'additionalProperties') fail([...path, String(error.params.additionalProperty)], `unknown key '${String(error.params.additionalProperty)}'`);
    if (error.keyword === 'required') fail(path, `missing required field '${String(error.params.missingProperty)}'`);
    if (error.keyword === 'oneOf') fail(path, 'give exactly one of relative, absolute, or min and max');
    fail(path, error.message ?? error.keyword);
  }
  return checkTargetRows((raw as { targets: TargetRow[] }).targets, (i, field, problem) => fail(['targets', i, ...field], problem));
}

/** The inclusive interval a row passes in. */
export function bounds(row: Pick<TargetRow, 'target' | 'tolerance'>): { low: number; high: number } {
  const t = row.tolerance;
  if ('relative' in t) return { low: row.target * (1 - t.relative), high: row.target * (1 + t.relative) };
  if ('absolute' in t) return { low: row.target - t.absolute, high: row.target + t.absolute };
  return { low: t.min, high: t.max };
}

/** pass / fail for a measured value; n.a. when nothing could be measured. */
export function judge(row: TargetRow, measured: number | undefined): 'pass' | 'fail' | 'n.a.' {
  if (measured === undefined) return 'n.a.';
  const { low, high } = bounds(row);
  // Round away float noise so a value printed as on the bound passes.
  const v = Number(measured.toPrecision(12));
  return v >= Number(low.toPrecision(12)) && v <= Number(high.toPrecision(12)) ? 'pass' : 'fail';
}

function locate(doc: Document, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | undefined;
    if (node && (node.range || isMap(node) || isSeq(node))) return node.range?.[0] ?? 0;
  }
  return 0;
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

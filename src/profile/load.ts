import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { daysBetween, isIsoDate } from '../util/dates.js';
import { ProfileError, UserError } from '../util/errors.js';
import { profileSchema } from './schema.js';
import type { Profile } from './types.js';

export interface LoadOptions {
  /** Condition keys code-maps/conditions.json knows. */
  conditionKeys: ReadonlySet<string>;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validateSchema = ajv.compile(profileSchema);

export function loadProfile(file: string, options: LoadOptions): Profile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read the profile (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseProfile(text, file, options);
}

/** Parses and checks a profile; the first problem found throws a ProfileError with file:line:column and field path. */
export function parseProfile(text: string, file: string, options: LoadOptions): Profile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  const fail = (path: (string | number)[], problem: string, keyOf?: string): never => {
    const offset = locate(doc, path, keyOf);
    const { line, col } = at(offset);
    throw new ProfileError(file, line, col, formatPath(path), problem);
  };
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = at(yamlError.pos[0]);
    throw new ProfileError(file, line, col, '', `YAML: ${yamlError.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS();
  if (!validateSchema(raw)) {
    const error = validateSchema.errors?.[0] as ErrorObject;
    const path = error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
    if (error.keyword === 'additionalProperties') {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys(schemaAt(path) ?? {}).join(', ');
      fail([...path, key], `unknown key '${key}'${allowed ? ` (allowed: ${allowed})` : ''}`, key);
    }
    if (error.keyword === 'required') fail(path, `missing required field '${String(error.params.missingProperty)}'`);
    fail(path, describeSchemaError(error));
  }
  const input = raw as Profile & Record<string, unknown>;
  checkSemantics(input, options, fail);
  return withDefaults(input);
}

function checkSemantics(p: Profile, options: LoadOptions, fail: (path: (string | number)[], problem: string) => never): void {
  for (const [field, value] of [['start', p.period.start], ['end', p.period.end]] as const) {
    if (!isIsoDate(value)) fail(['period', field], `'${value}' is not a calendar date (YYYY-MM-DD)`);
  }
  if (daysBetween(p.period.start, p.period.end) <= 0) fail(['period', 'end'], `period end ${p.period.end} must be after start ${p.period.start}`);
  const ids = new Set<string>();
  p.plans.forEach((plan, i) => {
    if (ids.has(plan.id)) fail(['plans', i, 'id'], `duplicate plan id '${plan.id}'`);
    ids.add(plan.id);
  });
  const medical = p.plans.map((plan, i) => ({ plan, i })).filter(({ plan }) => plan.type !== 'dental');
  const dental = p.plans.map((plan, i) => ({ plan, i })).filter(({ plan }) => plan.type === 'dental');
  const sum = (xs: { share: number }[]) => xs.reduce((s, x) => s + x.share, 0);
  if (medical.length && Math.abs(sum(medical.map((m) => m.plan)) - 1) > 0.001) {
    fail(['plans', medical[medical.length - 1]!.i, 'share'], `medical plan shares sum to ${round(sum(medical.map((m) => m.plan)))}, not 1`);
  }
  if (dental.length) {
    const total = sum(dental.map((d) => d.plan));
    if (!medical.length && Math.abs(total - 1) > 0.001) fail(['plans', dental[dental.length - 1]!.i, 'share'], `dental plan shares sum to ${round(total)}, not 1 (a dental-only payer)`);
    if (medical.length && total > 1.001) fail(['plans', dental[dental.length - 1]!.i, 'share'], `dental take-up shares sum to ${round(total)}, more than 1`);
  }
  const d = p.demographics;
  for (const [name, list] of [['ageBands', d.ageBands], ['sex', d.sex], ['states', d.states], ['race', d.race], ['ethnicity', d.ethnicity]] as const) {
    if (!list) continue;
    const total = sum(list);
    if (Math.abs(total - 1) > 0.001) fail(['demographics', name, list.length - 1, 'share'], `${name} shares sum to ${round(total)}, not 1`);
  }
  const bands = [...d.ageBands].map((b, i) => ({ ...b, i })).sort((a, b) => a.min - b.min);
  bands.forEach((b, k) => {
    if (b.max < b.min) fail(['demographics', 'ageBands', b.i, 'max'], `age band max ${b.max} is below its min ${b.min}`);
    const next = bands[k + 1];
    if (next && next.min <= b.max) fail(['demographics', 'ageBands', next.i, 'min'], `age band ${next.min}-${next.max} overlaps ${b.min}-${b.max}`);
  });
  p.conditions.forEach((c, i) => {
    if (!options.conditionKeys.has(c.key)) {
      fail(['conditions', i, 'key'], `unknown code-map key '${c.key}' (known: ${[...options.conditionKeys].sort().join(', ')})`);
    }
    c.byAgeBand?.forEach((b, j) => {
      if (b.max < b.min) fail(['conditions', i, 'byAgeBand', j, 'max'], `max ${b.max} is below min ${b.min}`);
    });
  });
}

function withDefaults(p: Profile): Profile {
  // The schema leaves these optional; the Profile type has them filled in.
  const loose = p as Partial<Profile> & Profile;
  const d = loose.demographics as Partial<Profile['demographics']> & Profile['demographics'];
  return {
    ...p,
    payer: { ...p.payer, identifiers: p.payer.identifiers ?? [], state: p.payer.state ?? d.states[0]?.code ?? 'MA' },
    plans: p.plans.map((plan) => ({ ...plan, costSharing: { ...plan.costSharing, copay: plan.costSharing.copay ?? {} } })),
    demographics: {
      ...d,
      race: d.race ?? [{ code: '2106-3', share: 1 }],
      ethnicity: d.ethnicity ?? [{ code: '2186-5', share: 1 }],
      dependentShare: d.dependentShare ?? 0.3,
    },
    claims: { denialRate: loose.claims?.denialRate ?? 0.05, outOfNetworkRate: loose.claims?.outOfNetworkRate ?? 0.08 },
    providers: {
      organizations: loose.providers?.organizations ?? 12,
      practitioners: loose.providers?.practitioners ?? 30,
      pharmacies: loose.providers?.pharmacies ?? 4,
    },
    coveragePlan: loose.coveragePlan ?? true,
    usCore: loose.usCore ?? '6.1.0',
  };
}

/** Offset of the YAML node at path (or its key, for unknown keys); the closest existing parent otherwise. */
function locate(doc: Document, path: (string | number)[], keyOf?: string): number {
  if (keyOf !== undefined) {
    const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === keyOf);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return keyNode.range[0];
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | undefined;
    if (node && (node.range || isMap(node) || isSeq(node))) return node.range?.[0] ?? 0;
  }
  return 0;
}

function schemaAt(path: (string | number)[]): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = profileSchema as unknown as Record<string, unknown>;
  for (const part of path) {
    if (!node) return undefined;
    node = (typeof part === 'number' ? node.items : (node.properties as Record<string, unknown> | undefined)?.[part]) as Record<string, unknown> | undefined;
  }
  return node?.properties as Record<string, unknown> | undefined;
}

function describeSchemaError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'type':
      return `expected ${String(e.params.type)}`;
    case 'minimum':
      return `must be ≥ ${String(e.params.limit)}`;
    case 'maximum':
      return `must be ≤ ${String(e.params.limit)}`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'pattern':
      return `does not match ${String(e.params.pattern)}`;
    case 'minItems':
      return `needs at least ${String(e.params.limit)} item(s)`;
    default:
      return e.message ?? e.keyword;
  }
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}


import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import { ProfileError, UserError } from '../util/errors.js';
import { exactWholeNumber, MAX_EXACT_WHOLE } from '../util/whole-number.js';
import { IG_NAMES } from './igs.js';
import { profileSchema, share } from './schema.js';
import { profileNotes } from './notes.js';
import { checkSemantics } from './semantics.js';
import type { GeneratorLimits, Profile } from './types.js';
import { prebuiltProfile, type PrebuiltProfile } from './prebuilt.js';
import { rememberProfileFile } from './profile-file.js';
import { firstUnknownKey } from './unknown-keys.js';
import { profileValidator } from './validator.js';

/** What a profile is checked against; src/story/limits.ts `profileLoadOptions(codeMaps)` makes it. */
export interface LoadOptions {
  /** Condition keys code-maps/conditions.json knows. */
  conditionKeys: ReadonlySet<string>;
  /** What the generator can produce: address states, ages, race and ethnicity codes. */
  limits: GeneratorLimits;
}

const validateSchema = profileValidator().validate;

/**
 * Reads, checks and completes a profile file. Throws UserError when the file cannot be read and
 * ProfileError (file:line:column, field, problem) for the first problem in it. The profile returned remembers `file`
 * (profileFileOf): generate records it in the manifest as `profileFile`, as `fhirseed generate --profile FILE` does.
 */
export function loadProfile(file: string, options: LoadOptions, onNote?: (note: string) => void): Profile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read the profile (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const profile = parseProfile(text, file, options, onNote);
  rememberProfileFile(profile, file);
  return profile;
}

/**
 * Parses and checks a profile; the first problem found throws a ProfileError with file:line:column and field path.
 * A profile that loads but asks for what it does not get (profileNotes: provider counts raised, a prevalence not
 * used, a gap between age bands, an out-of-pocket maximum above the federal limit) gives `onNote` one line each,
 * `file:line:column: field: note`, without a newline.
 */
export function parseProfile(text: string, file: string, options: LoadOptions, onNote?: (note: string) => void): Profile {
  const prebuilt = prebuiltProfile(text);
  const checked = prebuilt && checkedPrebuilt(prebuilt, text, options, onNote !== undefined);
  if (checked) return checked;
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
    const place = yamlErrorPlace(doc, yamlError, text);
    const { line, col } = at(place.offset);
    throw new ProfileError(file, line, col, formatPath(place.path), `YAML: ${place.problem}`);
  }
  const raw = toJS(doc, (offset, path, problem) => {
    const { line, col } = at(offset);
    return new ProfileError(file, line, col, formatPath(path), `YAML: ${problem}`);
  });
  if (raw === null || raw === undefined) fail([], 'the profile is empty');
  // Unknown keys first, anywhere in the file: a typo'd key would otherwise show as the required field it hides.
  const unknown = firstUnknownKey(raw, profileSchema);
  if (unknown) fail(unknown.path, unknown.problem, unknown.key);
  const schemaError = schemaFailure(validateSchema, raw);
  if (schemaError) fail(schemaError.path, schemaError.problem);
  checkSeed(doc, text, fail);
  const input = raw as Profile & Record<string, unknown>;
  checkSemantics(input, options, fail);
  if (onNote) {
    profileNotes(input, (path, note) => {
      const { line, col } = at(locate(doc, path));
      onNote(`${file}:${line}:${col}: ${formatPath(path)}: ${note}`);
    }, text);
  }
  return withDefaults(input);
}

/** Thrown by checkedPrebuilt's `fail`: a check failed, and parseProfile reads the text again to say where. */
const UNPLACED = Symbol('unplaced');

/**
 * parseProfile's checks over a shipped profile's text as `npm run build` parsed it (src/profile/prebuilt.ts), without
 * the YAML document (issue 13: parsing it was 0.24–0.31 s of `generate`'s start), and the profile with its defaults.
 * Undefined when a check fails or a note is to be given (`withNotes`): the caller then parses the text, to say where.
 * The checks depend on the options (code maps), not only on the text, so they run every time.
 */
function checkedPrebuilt(prebuilt: PrebuiltProfile, text: string, options: LoadOptions, withNotes: boolean): Profile | undefined {
  const { raw } = prebuilt;
  if (raw === null || raw === undefined || firstUnknownKey(raw, profileSchema) || schemaFailure(validateSchema, raw)) return undefined;
  const input = raw as Profile & Record<string, unknown>;
  const fail = (): never => {
    throw UNPLACED;
  };
  try {
    if (prebuilt.seedSource !== undefined) checkSeedSource(prebuilt.seedSource, input.seed, fail);
    checkSemantics(input, options, fail);
  } catch (error) {
    if (error === UNPLACED) return undefined;
    throw error;
  }
  let noted = false;
  if (withNotes) profileNotes(input, () => (noted = true), text);
  return noted ? undefined : withDefaults(input);
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
    igs: p.igs ? IG_NAMES.filter((ig) => p.igs!.includes(ig)) : [...IG_NAMES],
  };
}

/**
 * `seed` read from its source text, since YAML reads `99999999999999999999` as the float 1e20 (and
 * `9007199254740993` as 9007199254740992): a whole number from −(2^53 − 1) to 2^53 − 1, the range `--seed` takes,
 * else two seeds would make one output. Runs after the schema (which has checked that it is an integer).
 */
function checkSeed(doc: Document, text: string, fail: (path: (string | number)[], problem: string) => never): void {
  const node = doc.get('seed', true);
  if (!isScalar(node) || !node.range) return;
  checkSeedSource(text.slice(node.range[0], node.range[1]), node.value, fail);
}

/** checkSeed of the seed scalar's source text and its value as YAML read it. */
function checkSeedSource(text: string, value: unknown, fail: (path: (string | number)[], problem: string) => never): void {
  const source = text.trim();
  const exact = exactWholeNumber(source);
  const range = `a whole number from ${-Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER} (2^53 − 1, the largest fhirseed holds exactly, as --seed takes)`;
  if (exact !== undefined ? exact > MAX_EXACT_WHOLE || exact < -MAX_EXACT_WHOLE : !Number.isSafeInteger(value)) {
    fail(['seed'], `${source} is outside the seeds fhirseed takes: ${range}; a larger one would be rounded, and two seeds would make one output`);
  }
  // 9007199254740990.5 reads as the whole 9007199254740990.
  if (exact === undefined && /^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$/.test(source)) fail(['seed'], `${source} is not ${range}`);
}

/**
 * Where a YAML syntax error is and what it says. The parsed document is sound only before the error (after it the
 * shape is a guess: `name: x\n  bad: [` reads as a key `x bad`), so a field is named only where what is before the
 * error shows it:
 * - a quoted text or a flow `{…}`/`[…]` left open: at its opening quote or bracket, with its field
 *   (`period.start`, at the `"` of `start: "2025-01-01`; yaml's own place is where the text ran out);
 * - an error after a key on its line (`memberIdPrefix: FSD: x`, a stray `:`): yaml's place, with that key's field;
 * - a key given twice: the second, with its field;
 * - a second document (`---`): at it, in words (a profile is one document);
 * - any other (a tab or a bad indentation at the start of a line, which yaml cannot place in the tree): yaml's place,
 *   `(root)`.
 */
function yamlErrorPlace(doc: Document, error: YAMLError, text: string): { offset: number; path: (string | number)[]; problem: string } {
  const offset = error.pos[0];
  const problem = error.message.split('\n')[0]!;
  if (error.code === 'DUPLICATE_KEY') return { offset, path: pathAt(doc.contents, offset, []), problem };
  if (error.code === 'TAB_AS_INDENT') return { offset, path: [], problem: `${problem} (indent with spaces)` };
  if (error.code === 'MULTIPLE_DOCS') {
    return { offset, path: [], problem: 'a second document starts here (---): a profile is one document; remove this line and what follows it, or make that a profile file of its own' };
  }
  const chain = nodesAt(doc.contents, offset - 1, []);
  const open = /quote/i.test(problem)
    ? [...chain].reverse().find(({ node }) => isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'))
    : /end with (a )?[}\]]/.test(problem) ? [...chain].reverse().find(({ node }) => (/]/.test(problem) ? isSeq(node) : isMap(node)) && (node as { flow?: boolean }).flow === true) : undefined;
  if (open?.node.range) return { offset: open.node.range[0], path: open.path, problem };
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const keyed = nodesAt(doc.contents, offset, []).reverse().find(({ key }) => key?.range != null && key.range[0] >= lineStart && key.range[0] < offset);
  return { offset, path: keyed?.path ?? [], problem };
}

/** The nodes from `node` down to the deepest whose range holds `offset`, each with its path and, in a map, its key. */
function nodesAt(node: unknown, offset: number, path: (string | number)[]): { node: Node; path: (string | number)[]; key?: Node }[] {
  const within = (n: unknown) => {
    const range = (n as Node | null)?.range;
    return range != null && offset >= range[0] && offset < range[2];
  };
  const found: { node: Node; path: (string | number)[]; key?: Node }[] = [];
  let current = node;
  let at = path;
  for (;;) {
    let next: { node: unknown; part: string | number; key?: Node } | undefined;
    if (isMap(current)) {
      for (const pair of current.items) {
        if (isScalar(pair.key) && (within(pair.key) || within(pair.value))) next = { node: pair.value, part: String(pair.key.value), key: pair.key };
      }
    } else if (isSeq(current)) {
      current.items.forEach((item, i) => {
        if (within(item)) next = { node: item, part: i };
      });
    }
    if (!next) return found;
    at = [...at, next.part];
    if (next.node) found.push({ node: next.node as Node, path: at, ...(next.key ? { key: next.key } : {}) });
    else if (next.key) found.push({ node: next.key, path: at, key: next.key });
    current = next.node;
  }
}

/**
 * The document as plain data. An alias whose anchor is not set before it (`*prefix`, a misspelt anchor, or one set
 * further down) and aliases that expand past yaml's limit (a "billion laughs") throw in yaml's toJS, which would be a
 * bug report (exit 70): `problem` gets the alias's offset, field and what is wrong, and its error is thrown instead.
 */
function toJS(doc: Document, problem: (offset: number, path: (string | number)[], text: string) => Error): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    let alias: { offset: number; name: string; known: boolean } | undefined;
    visit(doc, {
      Alias(_key, node) {
        if (alias) return visit.BREAK;
        if (!node.resolve(doc) || /Excessive/.test(error.message)) alias = { offset: node.range?.[0] ?? 0, name: node.source, known: Boolean(node.resolve(doc)) };
        return undefined;
      },
    });
    if (!alias) throw error;
    const said = alias.known
      ? `the aliases expand too far (${error.message}); write the values out`
      : `alias *${alias.name} names no anchor &${alias.name} set before it (an anchor is written &${alias.name} before the value it names, above the alias)`;
    throw problem(alias.offset, pathAt(doc.contents, alias.offset, []), said);
  }
}

/** Offset of the YAML node at path (or its key, for unknown keys); the closest existing parent otherwise. */
/**
 * The path of the deepest field whose key or value holds `offset` in the parsed document, so that a key given twice
 * names its field (`plans[1].share: YAML: Map keys must be unique`); `[]` at the top level. Only for that error: after
 * a syntax error the parsed shape is a guess (`name: x\n  bad: [` reads as a key `x bad`), so those say `(root)`.
 */
function pathAt(node: unknown, offset: number, path: (string | number)[]): (string | number)[] {
  const within = (n: unknown) => {
    const range = (n as Node | null)?.range;
    return range != null && offset >= range[0] && offset < range[2];
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      if (within(pair.key)) return [...path, String(pair.key.value)];
      if (within(pair.value)) return pathAt(pair.value, offset, [...path, String(pair.key.value)]);
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) if (within(item)) return pathAt(item, offset, [...path, i]);
  }
  return path;
}

function locate(doc: Document, path: (string | number)[], keyOf?: string): number {
  if (keyOf !== undefined) {
    const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => String((item.key as { value?: unknown } | null)?.value) === keyOf);
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

/**
 * The first error `validate` (the profile schema's: src/profile/validator.ts) finds in `raw`, as the field's path
 * and the problem in words, or undefined when there is none.
 */
export function schemaFailure(validate: ValidateFunction, raw: unknown): { path: (string | number)[]; problem: string } | undefined {
  if (validate(raw)) return undefined;
  const error = validate.errors?.[0] as ErrorObject;
  const path = error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
  if (error.keyword === 'required') return { path, problem: `missing required field '${String(error.params.missingProperty)}'` };
  return { path, problem: describeSchemaError(error) };
}

/** Whether `schema` is schema.ts's `share`: compared by value, since ajv's standalone code carries a copy of it. */
function isShare(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as Record<string, unknown>;
  return Object.keys(s).length === Object.keys(share).length && Object.entries(share).every(([k, v]) => s[k] === v);
}

function describeSchemaError(e: ErrorObject): string {
  if (isShare(e.parentSchema) && (e.keyword === 'type' || e.keyword === 'minimum' || e.keyword === 'maximum')) {
    return `${JSON.stringify(e.data)} is not a share: expected a number from 0 to 1 (20% is 0.2)`;
  }
  const wholeNumber = wholeNumberWords(e);
  if (wholeNumber) return wholeNumber;
  switch (e.keyword) {
    case 'type':
      return `expected ${String(e.params.type)}`;
    case 'minimum':
      return `must be ≥ ${String(e.params.limit)}`;
    case 'maximum':
      return `must be ≤ ${String(e.params.limit)}`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'pattern': {
      const words = (e.parentSchema as { description?: string } | undefined)?.description;
      return words ? `expected ${words}, got ${JSON.stringify(e.data)}` : `does not match ${String(e.params.pattern)}`;
    }
    case 'oneOf':
      return 'give exactly one of relative, absolute, or min and max';
    case 'minLength':
      return Number(e.params.limit) === 1 ? 'must not be empty' : `must have at least ${String(e.params.limit)} characters`;
    case 'minItems':
      return `needs at least ${String(e.params.limit)} item(s)`;
    case 'uniqueItems': {
      const [first, again] = [Number(e.params.i), Number(e.params.j)].sort((a, b) => a - b);
      return `lists ${JSON.stringify((e.data as unknown[])[first!])} twice (items ${first} and ${again})`;
    }
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * An integer field's wrong type or value out of range, worded as the CLI and the library word a count
 * (`--members abc: expected a whole number ≥ 1`): `expected a whole number ≥ 1`, `… from 0 to 110`, or
 * `expected a whole number` without bounds. Undefined for any other error.
 */
function wholeNumberWords(e: ErrorObject): string | undefined {
  const schema = e.parentSchema as { type?: unknown; minimum?: unknown; maximum?: unknown } | undefined;
  if (schema?.type !== 'integer' || !['type', 'minimum', 'maximum'].includes(e.keyword)) return undefined;
  const { minimum: min, maximum: max } = schema;
  const range = typeof min === 'number' && typeof max === 'number' ? ` from ${min} to ${max}` : typeof min === 'number' ? ` ≥ ${min}` : typeof max === 'number' ? ` ≤ ${max}` : '';
  return `expected a whole number${range}`;
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}



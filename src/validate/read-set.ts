import fhirpath from 'fhirpath';

/**
 * What a FHIRPath expression can read of its context node, worked out from its syntax tree, so that an
 * invariant's result can be cached by the part of the node it depends on (`projectionKeyOf`): most EOB
 * invariants name a few codings deep inside `item` and `supportingInfo`, which repeat from claim to claim
 * while the claims as a whole never do.
 *
 * A read tree holds, per element name, what is read below it; a `full` node is read whole (its values are
 * compared, passed to a function, tested as booleans…). Anything else reached on the way is kept only as
 * structure: which keys are there, how many items, which are null — all that member navigation, `exists()`,
 * `empty()`, `count()`, `where(…)`, `first()` and the like can see. The analysis gives up (undefined) on
 * what it cannot bound: a type name as a path step (`QuestionnaireResponse.item`), `$index`/`$total`,
 * environment variables other than the terminology ones, `%resource`/`%context` below the root, or any
 * syntax it does not know. Functions it does not know read their input and arguments whole.
 */
export interface ReadNode {
  full: boolean;
  children: Map<string, ReadNode>;
}

class GiveUp extends Error {}

/** Functions whose result depends only on their input's structure (presence, count, order), not on its values. */
const STRUCTURAL = new Set(['exists', 'empty', 'count', 'first', 'last', 'tail', 'single']);
/** Of those, the ones that return (part of) their input, so that navigation goes on from it. */
const PASS_THROUGH = new Set(['first', 'last', 'tail', 'single']);
/** Operators: their operands are read whole. */
const OPERATORS = new Set([
  'EqualityExpression',
  'InequalityExpression',
  'AndExpression',
  'OrExpression',
  'XorExpression',
  'ImpliesExpression',
  'AdditiveExpression',
  'MultiplicativeExpression',
  'MembershipExpression',
  'UnionExpression',
  'PolarityExpression',
  'TypeExpression',
]);
/** Environment variables that are constants (terminology names): reading them reads nothing of the node. */
const CONSTANTS = /^(ucum|sct|loinc|`?'?(vs|ext)-.*)$/;

interface AstNode {
  type: string;
  text?: string;
  children?: AstNode[];
}

type Positions = ReadNode[];

const node = (): ReadNode => ({ full: false, children: new Map() });

/** The read tree of `expression` evaluated on a node (`atRoot`: the node is the resource itself, so `%resource` is it); undefined when it cannot be bounded. */
export function readTree(expression: string, atRoot: boolean): ReadNode | undefined {
  const root = node();
  let ast: AstNode;
  try {
    ast = fhirpath.parse(expression) as AstNode;
  } catch {
    return undefined;
  }
  const full = (ps: Positions) => {
    for (const p of ps) p.full = true;
  };
  const child = (p: ReadNode, name: string): ReadNode => {
    let c = p.children.get(name);
    if (!c) p.children.set(name, (c = node()));
    return c;
  };
  const kids = (n: AstNode): AstNode[] => n.children ?? [];
  /** The positions of `n`'s result; `focus` is `$this` (what a bare name or function applies to). */
  const visit = (n: AstNode, focus: Positions): Positions => {
    switch (n.type) {
      case 'EntireExpression':
      case 'TermExpression':
      case 'ParenthesizedTerm':
        if (kids(n).length !== 1) throw new GiveUp();
        return visit(kids(n)[0]!, focus);
      case 'InvocationTerm':
        if (kids(n).length !== 1) throw new GiveUp();
        return invoke(kids(n)[0]!, focus, focus);
      case 'LiteralTerm':
        return [];
      case 'ExternalConstantTerm': {
        const name = (n.text ?? '').replace(/^%/, '');
        if (CONSTANTS.test(name)) return [];
        if (atRoot && (name === 'resource' || name === 'rootResource' || name === 'context')) return [root];
        throw new GiveUp();
      }
      case 'InvocationExpression': {
        const [left, right] = kids(n);
        if (!left || !right || kids(n).length !== 2) throw new GiveUp();
        return invoke(right, visit(left, focus), focus);
      }
      case 'IndexerExpression': {
        const [coll, index] = kids(n);
        if (!coll || !index || kids(n).length !== 2) throw new GiveUp();
        full(visit(index, focus));
        return visit(coll, focus);
      }
      default:
        if (!OPERATORS.has(n.type)) throw new GiveUp();
        for (const c of kids(n)) if (c.type !== 'TypeSpecifier') full(visit(c, focus));
        return [];
    }
  };
  /** An invocation (`.name`, `.f(…)`, `$this`) applied to `input`, within an expression whose `$this` is `focus`. */
  const invoke = (n: AstNode, input: Positions, focus: Positions): Positions => {
    if (n.type === 'ThisInvocation') return focus;
    if (n.type === 'MemberInvocation') {
      const name = n.text ?? '';
      // A type name (`Observation.code`) is a type test in fhirpath.js, and a name we cannot read plainly (`\`div\``) is left alone;
      // so is `_name`, which fhirpath.js reads as that JSON key while the keys below file `_name` under `name`.
      if (!/^[a-z][A-Za-z0-9_]*$/.test(name)) throw new GiveUp();
      return input.map((p) => child(p, name));
    }
    if (n.type !== 'FunctionInvocation') throw new GiveUp();
    const fn = kids(n)[0];
    if (!fn || fn.type !== 'Functn') throw new GiveUp();
    const name = kids(fn)[0]?.text ?? '';
    const params = kids(fn)[1] ? kids(kids(fn)[1]!) : [];
    if (params.length === 0 && STRUCTURAL.has(name)) return PASS_THROUGH.has(name) ? input : [];
    if (params.length === 1 && (name === 'where' || name === 'exists' || name === 'all')) {
      full(visit(params[0]!, input));
      return name === 'where' ? input : [];
    }
    if (params.length === 1 && name === 'select') return visit(params[0]!, input);
    if (params.length === 1 && (name === 'ofType' || name === 'is' || name === 'as')) {
      full(input); // the argument is a type name
      return [];
    }
    // Anything else reads its input whole, and its arguments whole, whichever focus they are read against.
    full(input);
    const either = [...focus, ...input];
    for (const p of params) full(visit(p, either));
    return [];
  };
  try {
    full(visit(ast, [root]));
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
  return root;
}

/**
 * A cache key for an expression's result on a node: the node cut down to what `readTree` says the expression
 * reads (the rest of an object dropped, a primitive read only for its presence or its `_name` holder written as 1,
 * arrays kept item for item, `resourceType` always kept), as JSON; undefined when the expression cannot be bounded (then use
 * cacheKeyOf). The key function returns undefined for a key longer than `maxChars`.
 */
export function projectionKeyOf(expression: string, atRoot: boolean, maxChars: number): ((node: unknown) => string | undefined) | undefined {
  const tree = readTree(expression, atRoot);
  // Read whole: no better than cacheKeyOf's own keys.
  if (!tree || tree.full) return undefined;
  const names = new Map<ReadNode, Map<string, Under | null>>();
  /** The read node a JSON key of an object at `t` falls under (`_name`, choice `nameType` included), decided once per key. */
  const under = (t: ReadNode, key: string): Under | null => {
    let m = names.get(t);
    if (!m) names.set(t, (m = new Map()));
    let hit = m.get(key);
    if (hit === undefined) {
      const name = key.charCodeAt(0) === 95 ? key.slice(1) : key;
      let node: ReadNode | null = null;
      for (const [n, c] of t.children) if (name === n || (name.startsWith(n) && /[A-Z]/.test(name[n.length] ?? ''))) node = node ? union(node, c) : c;
      hit = node ? { node, quoted: `${JSON.stringify(key)}:` } : null;
      m.set(key, hit);
    }
    return hit;
  };
  // The JSON text of the cut-down node, written directly (no cut-down copy of it made first).
  const write = (value: unknown, t: ReadNode): string | undefined => {
    if (t.full) return JSON.stringify(value);
    if (value === undefined) return undefined;
    if (value === null) return 'null';
    // fhirpath.js reads a name below a primitive as the JS property (`'ab'.length` is 2, `(5).value` is 5): the value
    // counts then, unless only its `_name` holder's extension or id is read.
    if (typeof value !== 'object') return readsBelowPrimitive(t) ? JSON.stringify(value) : '1';
    if (Array.isArray(value)) {
      let s = '[';
      for (let i = 0; i < value.length; i++) s += `${i ? ',' : ''}${write(value[i], t) ?? 'null'}`;
      return `${s}]`;
    }
    let s = '{';
    for (const key in value) {
      const v = (value as Record<string, unknown>)[key];
      let part: string | undefined;
      if (key === 'resourceType') part = v === undefined ? undefined : `"resourceType":${JSON.stringify(v)}`;
      else {
        const u = under(t, key);
        const text = u ? write(v, u.node) : undefined;
        part = text === undefined ? undefined : u!.quoted + text;
      }
      if (part !== undefined) s += s.length > 1 ? `,${part}` : part;
    }
    return `${s}}`;
  };
  return (value) => {
    const key = write(value, tree);
    return key === undefined || key.length > maxChars ? undefined : key;
  };
}

/** Whether a primitive at this read node is read for more than presence: a name below it other than `extension` and `id`. */
function readsBelowPrimitive(t: ReadNode): boolean {
  for (const name of t.children.keys()) if (name !== 'extension' && name !== 'id') return true;
  return false;
}

/** A JSON key's read node, and the key as JSON text with its colon. */
interface Under {
  node: ReadNode;
  quoted: string;
}

/** What is read under either node (a JSON key under two read names: `value` and `valueSet` both take `valueSetX`). */
function union(a: ReadNode, b: ReadNode): ReadNode {
  const u: ReadNode = { full: a.full || b.full, children: new Map(a.children) };
  for (const [name, c] of b.children) {
    const d = u.children.get(name);
    u.children.set(name, d ? union(d, c) : c);
  }
  return u;
}

import { nearestName } from '../util/nearest-name.js';

type Path = (string | number)[];

/** The keywords of a JSON Schema node this walker reads. */
interface SchemaNode {
  readonly properties?: { readonly [key: string]: SchemaNode };
  readonly additionalProperties?: unknown;
  readonly items?: SchemaNode;
}

export interface UnknownKey {
  /** Path of the unknown key itself (its parent's path plus the key). */
  path: Path;
  key: string;
  /** Human text: "unknown field 'x' (did you mean 'y'?)" or "(allowed: …)". */
  problem: string;
}

/**
 * The first key, in document order, that the schema does not allow, at any nesting level — found
 * before the schema's other checks so that a typo'd key is named rather than the required field it
 * hides. `value` is the parsed YAML (maps keep their key order); `schemaNode` a JSON Schema whose
 * objects list their `properties` and say `additionalProperties: false` where closed.
 */
export function firstUnknownKey(value: unknown, schemaNode: object, path: Path = []): UnknownKey | undefined {
  const schema = schemaNode as SchemaNode;
  if (Array.isArray(value)) {
    if (!schema.items) return undefined;
    for (const [i, item] of value.entries()) {
      const found = firstUnknownKey(item, schema.items, [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object' || !schema.properties) return undefined;
  const known = Object.keys(schema.properties);
  for (const [key, child] of Object.entries(value)) {
    const sub = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (sub) {
      const found = firstUnknownKey(child, sub, [...path, key]);
      if (found) return found;
    } else if (schema.additionalProperties === false) {
      return { path: [...path, key], key, problem: unknownKeyProblem(key, known) };
    }
  }
  return undefined;
}

/**
 * "unknown field 'memberIdPrefx' (did you mean 'memberIdPrefix'?)" when a known field is near enough
 * (nearestName: within a third of the key's length in edits, ignoring case; 2 for keys of 4 to 8
 * letters, 1 for shorter ones), else the list of allowed fields.
 */
export function unknownKeyProblem(key: string, known: readonly string[]): string {
  const suggestion = nearestName(key, known);
  if (suggestion !== undefined) return `unknown field '${key}' (did you mean '${suggestion}'?)`;
  return `unknown field '${key}'${known.length ? ` (allowed: ${known.join(', ')})` : ''}`;
}

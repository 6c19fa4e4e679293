import { deepClone } from '@medplum/core';

/**
 * The JSON text each resource object read from the SQLite store was parsed from, so that a search answer is
 * written with that text instead of copying (deepClone: stringify and parse) and stringifying every resource
 * again: at 200 members those three passes over each page were half of a search's time. Such objects are never
 * mutated (the repository's contract for get/all/candidates), so their text stays theirs.
 */
const texts = new WeakMap<object, string>();

/** Records that `resource` was parsed from `text` (compact JSON, as JSON.stringify writes it). */
export function rememberJson<T extends object>(resource: T, text: string): T {
  texts.set(resource, text);
  return resource;
}

/**
 * A copy of a repository resource to put in an answer: the object itself when it came from the store with its
 * text (answerText writes that text), else a deep copy.
 */
export function answerCopy<T>(resource: T): T {
  return resource && typeof resource === 'object' && texts.has(resource) ? resource : deepClone(resource);
}

/** JSON.stringify(resource), taken from the text it was read from when it came from the store. */
export function resourceText(resource: object): string {
  return texts.get(resource) ?? JSON.stringify(resource);
}

/** `"\u0000N"` as JSON.stringify writes a placeholder string: the N-th resource text to splice in. */
const PLACEHOLDER = /"\\u0000(\d+)"/g;

/**
 * JSON.stringify(body), with each Bundle entry resource that came from the store written as its stored text
 * (the same characters JSON.stringify would write for it).
 */
export function answerText(body: unknown): string {
  const split = splitAnswer(body);
  if (!split) return JSON.stringify(body);
  let text = split.parts[0]!;
  for (let i = 0; i < split.pieces.length; i++) text += split.pieces[i]! + split.parts[i + 1]!;
  return text;
}

const encoder = new TextEncoder();

/**
 * The UTF-8 bytes of answerText(body) (the same bytes), written straight into one buffer of their own (never
 * pooled: it can be transferred to another thread): the skeleton's parts and each stored text are encoded in place
 * instead of first being joined into one string. Joining a page's ~10 KB ExplanationOfBenefit texts into a ~220 KB
 * string and encoding it took ~1.3-1.5 ms of CPU on this machine (the string's flattening: a large-object
 * allocation per answer), against ~0.07 ms for the bytes.
 */
export function answerBytes(body: unknown): Uint8Array {
  const split = splitAnswer(body);
  if (!split) return encoder.encode(JSON.stringify(body));
  const { parts, pieces } = split;
  let size = 0;
  for (const part of parts) size += Buffer.byteLength(part);
  for (const piece of pieces) size += Buffer.byteLength(piece);
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (let i = 0; i < pieces.length; i++) {
    at += bytes.write(parts[i]!, at);
    at += bytes.write(pieces[i]!, at);
  }
  bytes.write(parts[pieces.length]!, at);
  return bytes;
}

/**
 * JSON.stringify(body) cut where each stored entry resource's text goes: `parts[i]` before `pieces[i]` (the stored
 * texts), the last part after them. Undefined when no entry came from the store, or when a string of the body itself
 * reads like a placeholder (FHIR forbids U+0000, but a client's unvalidated write can hold it): the placeholders
 * found must be exactly ours, 0 … n−1 in order; the body is then written plainly.
 */
function splitAnswer(body: unknown): { parts: string[]; pieces: string[] } | undefined {
  const entries = (body as { entry?: { resource?: object }[] } | undefined)?.entry;
  if (!Array.isArray(entries) || !entries.some((e) => e?.resource && texts.has(e.resource))) return undefined;
  const pieces: string[] = [];
  const skeleton = JSON.stringify(body, (key, value: unknown) => {
    if (key !== 'resource' || !value || typeof value !== 'object') return value;
    const stored = texts.get(value);
    if (stored === undefined) return value;
    pieces.push(stored);
    return `\u0000${pieces.length - 1}`;
  });
  const parts: string[] = [];
  let from = 0;
  for (const match of skeleton.matchAll(PLACEHOLDER)) {
    if (Number(match[1]) !== parts.length || parts.length >= pieces.length) return undefined;
    parts.push(skeleton.slice(from, match.index));
    from = match.index + match[0].length;
  }
  if (parts.length !== pieces.length) return undefined;
  parts.push(skeleton.slice(from));
  return { parts, pieces };
}

/**
 * A stored resource that is parsed only if something reads more than its `resourceType` and `id`: a search page the
 * store decided from its index alone is written from `text` without parsing it (answerText). Reading any other
 * property, its keys or JSON.stringify parse it once; it cannot be changed (the repository's contract for what it
 * hands out: never mutated).
 */
export function lazyResource<T extends object>(resourceType: string, id: string, text: string): T {
  let parsed: object | undefined;
  const whole = (): object => (parsed ??= JSON.parse(text) as object);
  const refuse = (): boolean => false;
  const proxy = new Proxy({} as object, {
    // JSON.stringify asks every object for `toJSON` first (answerText's too): no resource has one, and asking must not parse.
    get: (_target, property) => (property === 'resourceType' ? resourceType : property === 'id' ? id : property === 'toJSON' ? undefined : Reflect.get(whole(), property)),
    has: (_target, property) => Reflect.has(whole(), property),
    ownKeys: () => Reflect.ownKeys(whole()),
    getOwnPropertyDescriptor: (_target, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(whole(), property);
      return descriptor && { ...descriptor, configurable: true };
    },
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
  });
  texts.set(proxy, text);
  return proxy as T;
}

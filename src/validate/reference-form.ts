/**
 * The literal reference forms of FHIR R4 `Reference.reference` (references.html §2.3.0.1 "Literal References",
 * and the `ref-1` / `Reference.reference` regex of datatypes): a relative URL `Type/id[/_history/vid]`, a
 * conditional reference `Type?query` (transaction bundles, http.html#trules), a local `#id` (contained; `#` the
 * container), or an absolute URI (`http(s)://…`, `urn:uuid:<uuid>`, `urn:oid:<oid>`, any other scheme).
 */
export type ReferenceForm =
  | { form: 'relative'; type: string; id: string; key: string }
  | { form: 'conditional' | 'local' | 'absolute' }
  | { form: 'broken'; why: string };

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** R4 id: 1-64 of `A-Z a-z 0-9 - .` (datatypes.html#id). */
const ID = '[A-Za-z0-9\\-.]{1,64}';
const RELATIVE = new RegExp(`^([A-Za-z]+)/(${ID})(?:/_history/${ID})?$`);
const UUID = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const OID = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;
const HTTP = /^https?:\/\/[^/?#]+(?:[/?#].*)?$/;
const FORMS = 'Type/id, an absolute URL, #id or urn:uuid:';

/**
 * Which R4 literal reference form `ref` is. `isResourceType(name)` says whether `name` is a concrete R4 resource
 * type. A relative reference's `key` is `Type/id` (no version), what resolution looks up. Never throws: a text in
 * none of the forms is `broken`, with a one-line `why` naming the text.
 */
export function referenceForm(ref: string, isResourceType: (name: string) => boolean): ReferenceForm {
  const shown = `'${ref.length > 100 ? `${ref.slice(0, 100)}…` : ref}'`;
  if (ref.startsWith('#')) return /\s/.test(ref) ? { form: 'broken', why: `reference ${shown} contains white space` } : { form: 'local' };
  if (/\s/.test(ref)) return { form: 'broken', why: `reference ${shown} contains white space` };
  if (SCHEME.test(ref)) {
    const scheme = ref.slice(0, ref.indexOf(':')).toLowerCase();
    if (ref.length === scheme.length + 1) return { form: 'broken', why: `reference ${shown} has nothing after its scheme` };
    if (scheme === 'http' || scheme === 'https') return HTTP.test(ref) ? { form: 'absolute' } : { form: 'broken', why: `reference ${shown} is not an http(s) URL with a host` };
    if (/^urn:uuid:/i.test(ref)) return UUID.test(ref) ? { form: 'absolute' } : { form: 'broken', why: `reference ${shown} is not urn:uuid: and a UUID (RFC 4122)` };
    if (/^urn:oid:/i.test(ref)) return OID.test(ref) ? { form: 'absolute' } : { form: 'broken', why: `reference ${shown} is not urn:oid: and an OID (e.g. urn:oid:2.16.840.1)` };
    return { form: 'absolute' };
  }
  const query = ref.indexOf('?');
  const head = query >= 0 ? ref.slice(0, query) : ref;
  const slash = head.indexOf('/');
  const type = slash >= 0 ? head.slice(0, slash) : head;
  if (type === '') return { form: 'broken', why: `reference ${shown} is empty or starts with '/' (a literal reference is ${FORMS})` };
  if (!isResourceType(type)) return { form: 'broken', why: `reference ${shown}: ${type} is not an R4 resource type (a literal reference is ${FORMS})` };
  if (query >= 0) return slash < 0 && query < ref.length - 1 ? { form: 'conditional' } : { form: 'broken', why: `reference ${shown} is neither Type/id nor a conditional Type?search` };
  if (slash < 0) return { form: 'broken', why: `reference ${shown} has no id (a literal reference is ${FORMS})` };
  const m = RELATIVE.exec(ref);
  if (!m) return { form: 'broken', why: `reference ${shown} is not Type/id[/_history/version] (an id is 1-64 of A-Z a-z 0-9 - .)` };
  return { form: 'relative', type, id: m[2]!, key: `${type}/${m[2]}` };
}

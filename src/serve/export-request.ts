import { isResourceType } from '@medplum/core';
import type { Parameters } from '@medplum/fhirtypes';
import { isCompartmentType } from './compartment.js';
import { ASSOCIATED_DATA, type AssociatedData } from './export-associated.js';
import { addElement, type ElementSelection } from './export-elements.js';
import { plusMeant, readInstant } from './instant.js';
import { planSearch, type Query } from './search-extras.js';

/** Which data a Bulk Data kick-off asks for: the system, every patient, or one Group's members. */
export type ExportLevel = 'system' | 'patient' | 'group';

/** A checked `$export` kick-off (FHIR Bulk Data Access 2.0.0). */
export interface ExportRequest {
  level: ExportLevel;
  /** `Group/[id]/$export`: the Group's id. */
  groupId?: string;
  /** `_type`: the resource types asked for, in the order given; undefined for every type. */
  types?: string[];
  /** `_since`: only resources whose `meta.lastUpdated` is later than this instant (epoch ms). */
  since?: number;
  /** `_until`: only resources whose `meta.lastUpdated` is earlier than this instant (epoch ms). */
  until?: number;
  /** `_elements`: the root elements to keep (the rest cut, the resource tagged SUBSETTED); undefined for all. */
  elements?: ElementSelection;
  /** `includeAssociatedData`: the Provenance of the exported resources, instead of the Provenance type's own. */
  associated?: AssociatedData;
  /** `_typeFilter`: per type, the searches a resource must match one of (`Type?param=value`). */
  typeFilters: Map<string, Query[]>;
  /** POST `patient`: only these patients' data (patient and group level). */
  patients?: Set<string>;
  /** Parameters ignored under `Prefer: handling=lenient` (told in the manifest's `extension`). */
  ignored: string[];
}

/** A bad kick-off: the HTTP status (400, or 403 for scopes) and what is wrong. */
export class ExportRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parameters whose unencoded `+` is read as meant (plusMeant). */
const PLUS_PARAMETERS = new Set(['_outputFormat', '_since', '_until']);
const NDJSON_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
/** Parameters of the Bulk Data spec this server does not implement (400, or ignored when lenient). */
const UNSUPPORTED = new Set(['organizeOutputBy', 'allowPartialManifests']);
/** Why a parameter in UNSUPPORTED is refused. */
const UNSUPPORTED_WHY: Record<string, string> = {
  organizeOutputBy: 'organizeOutputBy is not supported: this server writes one file per resource type (omit it, or send Prefer: handling=lenient)',
  allowPartialManifests: 'allowPartialManifests is not supported: the manifest comes whole, when the export is done',
};
/** Search result parameters, which make no sense in a `_typeFilter` query. */
const RESULT_PARAMETERS = /^_(count|offset|sort|include|revinclude|summary|elements|total|format|pretty|contained|containedType)(:|$)/;

/**
 * Checks a kick-off's parameters (GET query pairs, or the parts of a POSTed Parameters resource turned into
 * pairs) and returns what to export. Throws ExportRequestError (400) for an unknown `_type`, a `_since` or `_until`
 * that is not an instant or not a real date (2025-02-30; instant.ts readInstant), an `_until` before `_since`, a
 * `_typeFilter` that is not `Type?search` or names an unknown search parameter, an `_elements` item that is not a root element, an `_outputFormat` other than NDJSON,
 * `patient` at system level, and a parameter or `includeAssociatedData` value it does not support (unless
 * `lenient`, Prefer: handling=lenient, which ignores those).
 */
export function parseExportRequest(level: ExportLevel, groupId: string | undefined, pairs: [string, string][], lenient: boolean): ExportRequest {
  const request: ExportRequest = { level, ...(groupId ? { groupId } : {}), typeFilters: new Map(), ignored: [] };
  const bad = (message: string) => new ExportRequestError(400, message);
  for (const [name, given] of pairs) {
    const value = PLUS_PARAMETERS.has(name) ? plusMeant(given) : given;
    switch (name) {
      case '_outputFormat':
        if (!NDJSON_FORMATS.has(value)) throw bad(`_outputFormat=${value} is not supported: this server writes application/fhir+ndjson`);
        break;
      case '_since':
      case '_until': {
        const time = readInstant(value) ? Date.parse(value) : Number.NaN;
        if (Number.isNaN(time)) throw bad(`${name}=${value} is not a FHIR instant (e.g. 2025-01-01T00:00:00Z)`);
        request[name === '_since' ? 'since' : 'until'] = time;
        break;
      }
      case '_elements':
        for (const item of value.split(',').map((e) => e.trim()).filter(Boolean)) {
          request.elements ??= { byType: new Map(), anyType: new Set() };
          const refused = addElement(request.elements, item);
          if (refused) throw bad(`_elements: ${refused}`);
        }
        break;
      case 'includeAssociatedData':
        for (const code of value.split(',').map((c) => c.trim()).filter(Boolean)) {
          if (!(ASSOCIATED_DATA as readonly string[]).includes(code)) {
            if (lenient) {
              request.ignored.push(`includeAssociatedData=${code}`);
              continue;
            }
            throw bad(`includeAssociatedData=${code} is not supported (this server answers ${ASSOCIATED_DATA.join(' and ')})`);
          }
          if (request.associated && request.associated !== code) throw bad(`includeAssociatedData: name one of ${ASSOCIATED_DATA.join(', ')}, not both`);
          request.associated = code as AssociatedData;
        }
        break;
      case '_type':
        for (const type of value.split(',').map((t) => t.trim()).filter(Boolean)) {
          if (!isResourceType(type)) throw bad(`_type: ${type} is not a FHIR R4 resource type`);
          if (level !== 'system' && !isCompartmentType(type)) {
            throw bad(`_type: ${type} is not in the Patient compartment, so ${level === 'group' ? 'Group/[id]' : 'Patient'}/$export has none (use the system-level $export)`);
          }
          request.types = [...(request.types ?? []), ...(request.types?.includes(type) ? [] : [type])];
        }
        break;
      case '_typeFilter':
        for (const filter of value.split(',').map((f) => f.trim()).filter(Boolean)) addTypeFilter(request, filter);
        break;
      case 'patient':
        if (level === 'system') throw bad('patient is a parameter of Patient/$export and Group/[id]/$export, not of the system-level $export');
        request.patients ??= new Set();
        for (const ref of value.split(',')) {
          const id = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(ref.trim())?.[1];
          if (!id) throw bad(`patient: ${ref} is not a Patient reference`);
          request.patients.add(id);
        }
        break;
      default:
        if (!lenient) {
          throw bad(UNSUPPORTED.has(name) ? UNSUPPORTED_WHY[name]! : `${name} is not a parameter of $export (_outputFormat, _since, _until, _type, _typeFilter, _elements, includeAssociatedData${level === 'system' ? '' : ', patient'})`);
        }
        request.ignored.push(name);
    }
  }
  for (const type of request.typeFilters.keys()) {
    if (request.types && !request.types.includes(type)) throw bad(`_typeFilter for ${type}, which _type does not ask for`);
  }
  for (const type of request.elements?.byType.keys() ?? []) {
    if (request.types && !request.types.includes(type) && !(type === 'Provenance' && request.associated)) throw bad(`_elements names ${type}, which _type does not ask for`);
  }
  if (request.since !== undefined && request.until !== undefined && request.until <= request.since) throw bad('_until is not later than _since: nothing could match');
  return request;
}

function addTypeFilter(request: ExportRequest, filter: string): void {
  const bad = (why: string) => new ExportRequestError(400, `_typeFilter=${filter}: ${why}`);
  const at = filter.indexOf('?');
  const type = at < 0 ? filter : filter.slice(0, at);
  if (at < 0 || !isResourceType(type)) throw bad('expected ResourceType?search-parameters, e.g. ExplanationOfBenefit?type=pharmacy');
  if (request.level !== 'system' && !isCompartmentType(type)) throw bad(`${type} is not in the Patient compartment`);
  const query: Query = {};
  for (const [key, value] of new URLSearchParams(filter.slice(at + 1))) {
    if (RESULT_PARAMETERS.test(key)) throw bad(`${key} is not a search filter`);
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  if (!Object.keys(query).length) throw bad('no search parameters');
  try {
    planSearch(type, query);
  } catch (error) {
    throw bad((error as Error).message);
  }
  request.typeFilters.set(type, [...(request.typeFilters.get(type) ?? []), query]);
}

/** A POSTed kick-off's Parameters as name/value pairs (values of any primitive type, `patient` references). */
export function parameterPairs(body: unknown): [string, string][] {
  const params = body as Parameters | undefined;
  if (params?.resourceType !== 'Parameters') throw new ExportRequestError(400, 'a POST $export takes a Parameters resource (or no body)');
  return (params.parameter ?? []).map((p) => {
    const value = p.valueReference?.reference ?? p.valueString ?? p.valueCode ?? p.valueInstant ?? p.valueDateTime ?? p.valueUri ?? p.valueCanonical ?? (p.valueBoolean === undefined ? undefined : String(p.valueBoolean));
    if (!p.name || value === undefined) throw new ExportRequestError(400, `Parameters.parameter ${p.name ?? '(no name)'} has no value this server reads`);
    return [p.name, value];
  });
}

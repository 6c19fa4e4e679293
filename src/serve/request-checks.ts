import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/** A refused FHIR request: the HTTP status the FHIR RESTful API prescribes, its OperationOutcome and extra headers. */
export interface Refusal {
  status: number;
  outcome: OperationOutcome;
  headers?: Record<string, string>;
}

/** An OperationOutcome with one error issue (`code` from the FHIR IssueType value set). */
export function issueOutcome(code: OperationOutcomeIssue['code'], text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

/**
 * The path below /fhir as decoded segments; a malformed percent-escape (`%E0%A4%A`) is a 400 `invalid`
 * (it was a 500 when decodeURIComponent threw).
 */
export function decodeSegments(fhirPath: string): string[] | Refusal {
  if (!fhirPath) return [];
  try {
    return fhirPath.split('/').map(decodeURIComponent);
  } catch {
    return { status: 400, outcome: issueOutcome('invalid', `the path ${fhirPath} holds a malformed percent-escape`) };
  }
}

/**
 * 405 for a method the addressed FHIR endpoint does not take (FHIR RESTful API: "405 Method Not Allowed"),
 * with `Allow`: anything but GET on `/metadata`, a PUT or PATCH on a type without search parameters
 * (a conditional update needs them), a DELETE on a type without search parameters.
 */
export function methodRefusal(method: string, segments: string[], hasQuery: boolean): Refusal | undefined {
  const [type, id] = segments;
  const refuse = (allow: string, text: string): Refusal => ({ status: 405, outcome: issueOutcome('not-supported', text), headers: { allow } });
  if (type === 'metadata' && segments.length === 1 && method !== 'GET' && method !== 'HEAD') return refuse('GET', `${method} /metadata is not allowed: the CapabilityStatement is read with GET`);
  if (type && !id && !hasQuery && (method === 'PUT' || method === 'PATCH' || method === 'DELETE')) {
    return refuse('GET, POST', `${method} ${type} needs search parameters (a conditional ${method === 'DELETE' ? 'delete' : 'update'}) or an id (${method} ${type}/<id>)`);
  }
  return undefined;
}

const JSON_TYPE = /^application\/(fhir\+)?json$|^application\/json-patch\+json$/;

/**
 * 415 for a body whose Content-Type this server cannot read (FHIR RESTful API: "415 Unsupported Media
 * Type"): it reads JSON (`application/fhir+json`, `application/json`, JSON Patch for PATCH) and, for
 * `POST Type/_search` only, a form. No Content-Type, or an empty body, is not refused.
 */
export function mediaTypeRefusal(method: string, segments: string[], contentType: string | undefined, bodyLength: number): Refusal | undefined {
  if (!contentType || !bodyLength || (method !== 'POST' && method !== 'PUT' && method !== 'PATCH')) return undefined;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (JSON_TYPE.test(type)) return undefined;
  if (type === 'application/x-www-form-urlencoded' && segments[1] === '_search') return undefined;
  return { status: 415, outcome: issueOutcome('not-supported', `Content-Type ${type} is not supported here: send application/fhir+json${segments[1] === '_search' ? ' or a form' : ''}`) };
}

/** 501 for an operation (`$name`) this server does not implement (system, type or instance level). */
export function unknownOperation(segments: string[]): Refusal | undefined {
  const operation = segments.find((s) => s.startsWith('$'));
  if (!operation) return undefined;
  return { status: 501, outcome: issueOutcome('not-supported', `operation ${operation} is not supported by this server`) };
}

/**
 * Why a resource cannot be the body of `PUT Type/id` (R4 http.html#update: "If no id element is provided, or the id
 * disagrees with the id in the URL, the server SHALL respond with an HTTP 400 error code"): its text, naming both ids
 * or types, and the element at fault (`resourceType` or `id`); undefined when it can, or when it is no object (other
 * checks answer that). `what`: how the text names the resource (a batch entry's `Bundle.entry[N].resource`).
 */
export function updateBodyProblem(type: string, id: string, resource: unknown, what = 'the body'): { text: string; element: 'resourceType' | 'id' } | undefined {
  if (!resource || typeof resource !== 'object') return undefined;
  const { resourceType, id: bodyId } = resource as { resourceType?: unknown; id?: unknown };
  if (resourceType !== type) {
    return { element: 'resourceType', text: `${what}'s resourceType is ${resourceType === undefined ? 'missing' : JSON.stringify(resourceType)}, but PUT ${type}/${id} takes a ${type}` };
  }
  if (bodyId === undefined) return { element: 'id', text: `${what} has no id: PUT ${type}/${id} needs "id": "${id}" in it` };
  if (bodyId !== id) return { element: 'id', text: `${what}'s id ${JSON.stringify(bodyId)} is not the URL's "${id}" (PUT ${type}/${id})` };
  return undefined;
}

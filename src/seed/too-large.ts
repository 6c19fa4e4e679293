import { isOperationOutcome } from './outcome.js';

/*
 * How servers say a bundle has too many entries. 413 is the HTTP way; many answer 400 with an
 * OperationOutcome instead, e.g.
 *   Microsoft FHIR server / Azure API for FHIR: "The number of entries in the bundle exceeded the configured limit of 500."
 *   FHIR Works on AWS: "Maximum number of entries for a Bundle is 25. There are currently 40 entries in this Bundle"
 *   LinuxForHealth FHIR (issue #4184): HTTP 400 and an OperationOutcome when entries exceed the configured maximum.
 * A refusal counts as "too large" when its text has a size word (too many/large, exceed, maximum,
 * limit) about a bundle's size or entries — not a validation error inside one entry
 * ("Bundle.entry[3].resource … exceeds maximum length"), which names an entry path instead.
 */
const SIZE_WORD = /\b(too (many|large|big)|exceed(s|ed|ing)?|max(imum)?|limit(ed)?)\b/i;
const SUBJECT = /\b(entries|number of (entries|resources|operations|requests)|(bundle|batch|transaction|payload|request)( body)? (is too|size|contains|has|exceeds|exceeded|limit))\b/i;
const ENTRY_PATH = /\bentry\[\d+\]/i;

/** The texts of an answer: each issue's diagnostics and details, or the body when it is text. */
function texts(body: unknown): string[] {
  if (typeof body === 'string') return [body];
  if (!isOperationOutcome(body)) return [];
  return (body.issue ?? []).flatMap((i) => [i.diagnostics, i.details?.text].filter((t): t is string => typeof t === 'string'));
}

/** Whether the server refused a bundle for its size: 413, or a 400/422 whose outcome says so. */
export function isBundleTooLarge(status: number, body: unknown): boolean {
  if (status === 413) return true;
  if (status !== 400 && status !== 422) return false;
  if (isOperationOutcome(body) && body.issue?.some((i) => i.code === 'too-costly')) return true;
  return texts(body).some((t) => SIZE_WORD.test(t) && SUBJECT.test(t) && !ENTRY_PATH.test(t));
}

/**
 * The entry limit the refusal names ("… limit of 500", "Maximum number of entries for a Bundle is
 * 25"), when it names one below `sent`; else undefined (the caller halves).
 */
export function statedLimit(body: unknown, sent: number): number | undefined {
  for (const t of texts(body)) {
    const m = /\b(?:limit|max(?:imum)?)\b[^.\d]{0,40}?(\d+)/i.exec(t);
    const n = m ? Number(m[1]) : NaN;
    if (Number.isInteger(n) && n >= 1 && n < sent) return n;
  }
  return undefined;
}

import { UserError } from './errors.js';

/**
 * What a run id may be: it is the code of the run tag (`urn:fhirseed:run|<id>`) in every resource and
 * is searched for as `_tag=urn:fhirseed:run|<id>`, so it must be a valid FHIR token code (no
 * whitespace) and carry none of the characters search syntax gives a meaning (`|`, `,`, `$`, `\`).
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Returns `id` when it is a usable run id, else throws a UserError naming `what` (e.g. `--run-id`)
 * and the value as given.
 */
export function checkRunId(id: string, what: string): string {
  if (!RUN_ID_PATTERN.test(id)) {
    throw new UserError(
      `${what} ${JSON.stringify(id)}: expected 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (it is searched for as a FHIR token)`,
    );
  }
  return id;
}

/**
 * Must-support elements judged not applicable to what fhirseed writes: the profile allows them, but the
 * thing the resource describes has no such fact, so filling them would mean inventing one. Each entry names
 * the profile (canonical, no version), the element id (its descendants are covered too), why, and the source
 * of that judgement. The must-support coverage report shows them as "n/a (reason)" and leaves them out of
 * the denominator, as it does for the elements a profile itself leaves no place for (src/validate/coverage.ts).
 * Entries are made with `judged`, which refuses an empty reason or source (at compile time for literals, at
 * load for anything else).
 */
export interface JudgedNotApplicable {
  /** Profile canonical without version, e.g. `http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-Network`. */
  profile: string;
  /** Element id in the profile's snapshot, e.g. `Organization.identifier:NPI`. */
  element: string;
  /** Why no conformant resource of this kind has a value there (one sentence). */
  reason: string;
  /** Where that comes from: a regulation, the IG's own examples, the element's definition. */
  source: string;
}

/** A string literal type that is not empty: `''` is `never`. */
type NonEmpty<T extends string> = T extends '' ? never : T;

/** One judged entry; throws (a bug in fhirseed) when its reason or source is blank. */
export function judged<R extends string, S extends string>(entry: {
  profile: string;
  element: string;
  reason: NonEmpty<R>;
  source: NonEmpty<S>;
}): JudgedNotApplicable {
  for (const field of ['profile', 'element', 'reason', 'source'] as const) {
    if (!entry[field].trim()) throw new Error(`not-applicable entry ${entry.profile} ${entry.element}: empty ${field}`);
  }
  return { ...entry };
}

const PLAN_NET = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition';
const PDEX = 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition';

/** The judged list (README, `fhirseed validate`, "Must-support coverage"). */
export const JUDGED_NOT_APPLICABLE: readonly JudgedNotApplicable[] = [
  judged({
    profile: `${PLAN_NET}/plannet-Network`,
    element: 'Organization.identifier:NPI',
    reason: 'a network is not a health care provider, and NPIs are issued only to health care providers',
    source: '45 CFR 162.410; Plan-Net 1.1.0 Network examples AcmeofCTStdNet and AcmeofCTPremNet have no identifier (the slice is inherited from US Core Organization)',
  }),
  judged({
    profile: `${PDEX}/pdex-device`,
    element: 'Device.url',
    reason: 'an implanted device has no network address, and fhirseed\'s PDex Devices are the US Core implantable devices',
    source: 'FHIR R4 Device.url: "network address to contact device"',
  }),
];

/** The judged entry for an element of a profile (the element or one of its ancestors is listed), if any. */
export function judgedNotApplicable(profileUrl: string, id: string, list: readonly JudgedNotApplicable[] = JUDGED_NOT_APPLICABLE): JudgedNotApplicable | undefined {
  return list.find((j) => j.profile === profileUrl && (id === j.element || id.startsWith(`${j.element}.`) || id.startsWith(`${j.element}:`)));
}

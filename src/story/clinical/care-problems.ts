import type { Coded } from '../../codemaps/types.js';
import { addDays, maxDate } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import type { ClinicalInput, EncounterFact } from './types.js';

/** A problem-list (or health-concern) condition: one per story.conditions[i]. */
export interface ProblemFact {
  /** Index into story.conditions (the resource id is ids.problem(story, index)). */
  index: number;
  key: string;
  snomed: Coded;
  /** The ICD-10-CM code the member's claims use for it. */
  icd10cm: Coded;
  healthConcern: boolean;
  /** us-core-category code (screening-assessment slice). */
  assessmentCategory?: Coded;
  clinicalStatus: 'active' | 'resolved';
  onset: IsoDate;
  /** Resolved acute conditions only. */
  abatement?: IsoDate;
  /** First visit that diagnosed it, else the onset: when it entered the record. */
  recorded: IsoDate;
}

/** A diagnosis of a visit: one per EncounterFact.diagnoses entry. */
export interface EncounterDiagnosisFact {
  encounterOrdinal: number;
  /** 1-based position in the visit's diagnoses (the resource id is ids.encounterDiagnosis(story, ordinal, k)). */
  k: number;
  icd10cm: Coded;
  /** The member's condition this diagnosis is about, when it is one. */
  problemIndex?: number;
  clinicalStatus: 'active' | 'resolved';
  onset: IsoDate;
  abatement?: IsoDate;
  recorded: IsoDate;
}

/**
 * The member's conditions as the record holds them. Acute conditions resolve one to three weeks
 * after the last visit for them (when that is before the member's last day); chronic ones stay active.
 */
export function simulateProblems(input: ClinicalInput): ProblemFact[] {
  const { story, codeMaps, encounters, rng, lastDay } = input;
  const categories = codeMaps.clinical.care.conditionCategories;
  return story.conditions.map((c, index) => {
    const row = codeMaps.conditions.get(c.key);
    if (!row) throw new Error(`condition '${c.key}' is not in conditions.json`);
    const icd = row.icd10cm[c.icd10Index] ?? row.icd10cm[0]!;
    const visits = encounters.filter((e) => problemIndexFor(input, e, e.diagnoses.findIndex((d) => d.conditionKey === c.key)) === index);
    const recorded = visits[0] ? maxDate(visits[0].start, c.onset) : c.onset;
    const lastVisit = visits.length ? visits[visits.length - 1]!.end : c.onset;
    const resolvesOn = row.chronic ? undefined : addDays(lastVisit, rng.int(7, 21));
    const abatement = resolvesOn && resolvesOn <= lastDay ? resolvesOn : undefined;
    const category = categories.get(c.key);
    return {
      index,
      key: c.key,
      snomed: row.snomed,
      icd10cm: icd,
      healthConcern: category?.healthConcern ?? false,
      ...(category?.assessmentCategory ? { assessmentCategory: category.assessmentCategory } : {}),
      clinicalStatus: abatement ? 'resolved' : 'active',
      onset: c.onset,
      ...(abatement ? { abatement } : {}),
      recorded,
    };
  });
}

/**
 * The member's condition a visit diagnosis is about: the latest condition with that key whose
 * onset is on or before the visit (a member may have had otitis media twice).
 */
export function problemIndexFor(input: Pick<ClinicalInput, 'story'>, encounter: EncounterFact, dxIndex: number): number | undefined {
  const key = encounter.diagnoses[dxIndex]?.conditionKey;
  if (!key) return undefined;
  let found: number | undefined;
  input.story.conditions.forEach((c, i) => {
    if (c.key === key && c.onset <= encounter.end && (found === undefined || c.onset >= input.story.conditions[found]!.onset)) found = i;
  });
  return found;
}

/** Each visit diagnosis, linked to the member's condition; visit reasons (exams) resolve with the visit. */
export function encounterDiagnoses(input: ClinicalInput, problems: readonly ProblemFact[]): EncounterDiagnosisFact[] {
  return input.encounters.flatMap((e) =>
    e.diagnoses.map((d, i) => {
      const problemIndex = problemIndexFor(input, e, i);
      const problem = problemIndex === undefined ? undefined : problems[problemIndex];
      const abatement = problem ? problem.abatement : e.inProgress ? undefined : e.end;
      return {
        encounterOrdinal: e.ordinal,
        k: i + 1,
        icd10cm: { code: d.icd10cm, display: d.display },
        ...(problemIndex === undefined ? {} : { problemIndex }),
        clinicalStatus: abatement ? 'resolved' : 'active',
        onset: problem ? problem.onset : e.start,
        ...(abatement ? { abatement } : {}),
        recorded: e.start,
      } satisfies EncounterDiagnosisFact;
    }),
  );
}

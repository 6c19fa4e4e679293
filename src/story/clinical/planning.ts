import { addDays } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import { simulateNotes, simulatePathology, simulateReports, type NoteFact, type PathologyFact, type ReportFact } from './planning-notes.js';
import type { ClinicalInput, EncounterFact } from './types.js';

export type { NoteFact, PathologyFact, ReportFact } from './planning-notes.js';

export interface GoalFact {
  /** 1-based: the resource id is fs-<key>-goal<ordinal>. */
  ordinal: number;
  /** Index into story.conditions of the condition the goal addresses. */
  conditionIndex: number;
  conditionKey: string;
  start: IsoDate;
  /** Target date; absent when it fell after the member's death (the goal was cancelled). */
  due?: IsoDate;
  /** 'cancelled' when the member died before meeting it. */
  lifecycleStatus: 'active' | 'completed' | 'cancelled';
  /** When the status last changed: the death date of a cancelled goal. */
  statusDate?: IsoDate;
  /** Practitioner who set the goal with the member; absent when the member set it alone. */
  expressedById?: string;
}

export type CareTeamMemberFact =
  | { kind: 'practitioner'; id: string; taxonomy: string }
  | { kind: 'organization'; id: string; taxonomy: string }
  | { kind: 'patient' }
  | { kind: 'related-person' };

export interface CarePlanFact {
  /** Indexes into story.conditions of the chronic conditions the plan addresses. */
  conditionIndexes: number[];
  start: IsoDate;
  /** Practitioner of the visit that started the plan. */
  authorId?: string;
  organizationId: string;
  /** Encounter ordinal of the visit that started the plan. */
  encounterOrdinal?: number;
  goals: GoalFact[];
  careTeam: CareTeamMemberFact[];
  /** The member's death date: the plan was revoked and the care team made inactive that day. */
  end?: IsoDate;
}

export interface PlanningFacts {
  /** Only members with a chronic condition have a care plan (and its goals and care team). */
  carePlan?: CarePlanFact;
  notes: NoteFact[];
  reports: ReportFact[];
  /** Surgical pathology reports of the operations that removed tissue. */
  pathology: PathologyFact[];
}

const MAX_TEAM_PRACTITIONERS = 4;

export function simulatePlanning(input: ClinicalInput): PlanningFacts {
  return { carePlan: simulateCarePlan(input), notes: simulateNotes(input), reports: simulateReports(input), pathology: simulatePathology(input) };
}

function simulateCarePlan(input: ClinicalInput): CarePlanFact | undefined {
  const { story, codeMaps, encounters } = input;
  const conditionIndexes = story.conditions
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => codeMaps.conditions.get(c.key)?.chronic && c.onset <= input.lastDay)
    .map(({ i }) => i);
  if (!conditionIndexes.length) return undefined;
  const chronicKeys = new Set(conditionIndexes.map((i) => story.conditions[i]!.key));
  const clinicalVisits = encounters.filter((e) => e.kind !== 'dental');
  // The plan starts at the first visit that bills a chronic diagnosis; without one, at the latest onset.
  const first = clinicalVisits.find((e) => e.diagnoses.some((d) => d.conditionKey && chronicKeys.has(d.conditionKey)));
  const latestOnset = conditionIndexes.map((i) => story.conditions[i]!.onset).sort().at(-1)!;
  const start = first?.start ?? latestOnset;
  const organizationId = first?.organizationId ?? clinicalVisits[0]?.organizationId ?? input.directory.organizations.find((o) => o.kind === 'clinic')!.id;
  const death = story.member.deceasedDate;
  const goals = conditionIndexes.map((conditionIndex, k): GoalFact => {
    const key = story.conditions[conditionIndex]!.key;
    const dueMonths = input.codeMaps.clinical.planning.goals.get(key)?.dueMonths ?? 12;
    const due = addDays(start, Math.round(dueMonths * 30.44));
    // A goal whose due date has passed was met about half the time.
    const met = due <= input.lastDay && input.rng.chance(0.5);
    // A death ends every goal not met: cancelled that day, with no target date after it.
    const cancelled = !met && death !== undefined;
    return {
      ordinal: k + 1,
      conditionIndex,
      conditionKey: key,
      start,
      ...(death && due > death ? {} : { due }),
      lifecycleStatus: met ? 'completed' : cancelled ? 'cancelled' : 'active',
      ...(cancelled ? { statusDate: death } : {}),
      ...(first?.practitionerId && (k % 2 === 0 || story.index % 2 === 0) ? { expressedById: first.practitionerId } : {}),
    };
  });
  return {
    conditionIndexes,
    start,
    ...(first?.practitionerId ? { authorId: first.practitionerId } : {}),
    organizationId,
    ...(first ? { encounterOrdinal: first.ordinal } : {}),
    goals,
    careTeam: careTeam(input, clinicalVisits, organizationId),
    ...(death ? { end: death } : {}),
  };
}

function careTeam(input: ClinicalInput, visits: EncounterFact[], organizationId: string): CareTeamMemberFact[] {
  const { directory, story } = input;
  const practitioners: CareTeamMemberFact[] = [];
  for (const v of visits) {
    if (!v.practitionerId || practitioners.some((p) => p.kind === 'practitioner' && p.id === v.practitionerId)) continue;
    const p = directory.practitioners.find((x) => x.id === v.practitionerId);
    if (!p || p.role === 'dentist' || p.role === 'pharmacist') continue;
    practitioners.push({ kind: 'practitioner', id: p.id, taxonomy: p.taxonomy });
    if (practitioners.length === MAX_TEAM_PRACTITIONERS) break;
  }
  const org = directory.organizations.find((o) => o.id === organizationId);
  const dependent = story.member.relationship !== 'self' && story.member.subscriber !== undefined;
  return [
    ...practitioners,
    ...(org ? [{ kind: 'organization' as const, id: org.id, taxonomy: org.taxonomy }] : []),
    { kind: 'patient' },
    ...(dependent ? [{ kind: 'related-person' as const }] : []),
  ];
}

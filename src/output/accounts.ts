import type { CLAIM_TYPES } from '../profile/types.js';
import type { MemberStory } from '../story/types.js';
import { stableHash } from '../util/rng.js';

export interface TestAccount {
  index: number;
  patientId: string;
  memberId: string;
  subscriberId: string;
  relationship: string;
  name: string;
  birthDate: string;
  plans: string[];
  /** Sandbox sign-in for this member: deterministic, test data only. */
  username: string;
  password: string;
  claims: Record<(typeof CLAIM_TYPES)[number], number>;
  conditions: string[];
  deceased: boolean;
  /** Medicare Advantage members: why they are entitled to Medicare ('age', 'disability', 'esrd', 'disability-esrd'). */
  medicareEntitlement?: string;
}

export function testAccount(story: MemberStory, patientId: string): TestAccount {
  const { member } = story;
  const claims = { professional: 0, outpatient: 0, inpatient: 0, pharmacy: 0, oral: 0 };
  for (const c of story.claims) claims[c.type]++;
  return {
    index: story.index,
    patientId,
    memberId: member.memberId,
    subscriberId: member.subscriberId,
    relationship: member.relationship,
    name: `${member.name.given.join(' ')} ${member.name.family}`,
    birthDate: member.birthDate,
    plans: story.coverages.map((c) => c.planName),
    username: member.memberId.toLowerCase(),
    password: `fs-${stableHash(`password:${story.key}`, 10)}`,
    claims,
    conditions: [...new Set(story.conditions.map((c) => c.key))],
    deceased: Boolean(member.deceasedDate),
    ...(member.medicareEntitlement ? { medicareEntitlement: member.medicareEntitlement } : {}),
  };
}

const CSV_COLUMNS = [
  'index', 'patientId', 'memberId', 'subscriberId', 'relationship', 'name', 'birthDate', 'plans', 'username', 'password',
  'professional', 'outpatient', 'inpatient', 'pharmacy', 'oral', 'conditions', 'deceased', 'medicareEntitlement',
] as const;

export function accountsCsvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

export function accountCsvRow(a: TestAccount): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string | number | boolean> = {
    ...a.claims,
    index: a.index, patientId: a.patientId, memberId: a.memberId, subscriberId: a.subscriberId,
    relationship: a.relationship, name: a.name, birthDate: a.birthDate, plans: a.plans.join('; '),
    username: a.username, password: a.password, conditions: a.conditions.join('; '), deceased: a.deceased,
    medicareEntitlement: a.medicareEntitlement ?? '',
  };
  return `${CSV_COLUMNS.map((c) => csvField(String(values[c]))).join(',')}\n`;
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

import type { CarePlan } from '@medplum/fhirtypes';
import type { CarePlanFact } from '../../story/clinical/planning.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { careTeamId } from './care-team.js';
import { goalId } from './goal.js';
import { escapeXml, personName } from './planning-common.js';

export const carePlanId = (story: MemberStory) => ids.member(story, 'careplan1');

/** US Core CarePlan: the assessment and plan for the member's chronic conditions, with its narrative. */
export function buildUsCoreCarePlan(story: MemberStory, plan: CarePlanFact, ctx: BuildContext): CarePlan {
  return {
    resourceType: 'CarePlan',
    id: carePlanId(story),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-careplan')]),
    text: { status: 'generated', div: narrative(story, plan, ctx) },
    // A death ends the plan before its goals are met: revoked (terminated before completion).
    status: plan.end ? 'revoked' : 'active',
    intent: 'plan',
    // The assess-plan category is fixed by the profile.
    category: [{ coding: [{ system: SYSTEMS.usCoreCarePlanCategory, code: 'assess-plan', display: 'Assessment and Plan of Treatment' }] }],
    title: 'Chronic condition management plan',
    subject: ref('Patient', ids.patient(story)),
    ...(plan.encounterOrdinal ? { encounter: ref('Encounter', ids.encounter(story, plan.encounterOrdinal)) } : {}),
    period: { start: plan.start, ...(plan.end ? { end: plan.end } : {}) },
    created: plan.start,
    ...(plan.authorId ? { author: ref('Practitioner', plan.authorId) } : { author: ref('Organization', plan.organizationId) }),
    careTeam: [ref('CareTeam', careTeamId(story))],
    addresses: plan.conditionIndexes.map((i) => ref('Condition', ids.problem(story, i))),
    goal: plan.goals.map((g) => ref('Goal', goalId(story, g))),
  };
}

function narrative(story: MemberStory, plan: CarePlanFact, ctx: BuildContext): string {
  const items = plan.goals.map((g) => {
    const condition = ctx.codeMaps.conditions.get(g.conditionKey)?.display ?? g.conditionKey;
    const goal = ctx.codeMaps.clinical.planning.goals.get(g.conditionKey)?.text ?? 'stable on current treatment';
    return `<li>${escapeXml(condition)}: ${escapeXml(goal)}${g.due ? ` by ${g.due}` : ''} (${g.lifecycleStatus})</li>`;
  });
  return (
    '<div xmlns="http://www.w3.org/1999/xhtml">' +
    `<p>Care plan for ${escapeXml(personName(story.member.name))}, started ${plan.start}.</p>` +
    `<ul>${items.join('')}</ul></div>`
  );
}

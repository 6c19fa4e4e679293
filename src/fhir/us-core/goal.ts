import type { Goal } from '@medplum/fhirtypes';
import type { GoalFact } from '../../story/clinical/planning.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';

export const goalId = (story: MemberStory, goal: GoalFact) => ids.member(story, `goal${goal.ordinal}`);

/** US Core Goal: one per chronic condition of the care plan, described by its measure when the code map has one. */
export function buildUsCoreGoal(story: MemberStory, goal: GoalFact, ctx: BuildContext): Goal {
  const condition = ctx.codeMaps.conditions.get(goal.conditionKey);
  const row = ctx.codeMaps.clinical.planning.goals.get(goal.conditionKey);
  const text = row?.text ?? `${condition?.display ?? goal.conditionKey} stable on current treatment`;
  return {
    resourceType: 'Goal',
    id: goalId(story, goal),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-goal')]),
    lifecycleStatus: goal.lifecycleStatus,
    ...(goal.lifecycleStatus === 'completed'
      ? { achievementStatus: { coding: [{ system: SYSTEMS.goalAchievement, code: 'achieved', display: 'Achieved' }] } }
      : {}),
    ...(goal.statusDate ? { statusDate: goal.statusDate } : {}),
    description: row ? { coding: [{ system: SYSTEMS.loinc, code: row.measure.code, display: row.measure.display }], text } : { text },
    subject: ref('Patient', ids.patient(story)),
    startDate: goal.start,
    // A goal cancelled by a death with no measure keeps no target (an empty one is invalid, ele-1).
    ...(row || goal.due
      ? {
          target: [
            {
              ...(row ? { measure: { coding: [{ system: SYSTEMS.loinc, code: row.measure.code, display: row.measure.display }] } } : {}),
              ...(row?.detail
                ? { detailQuantity: { value: row.detail.value, comparator: row.detail.comparator, unit: row.detail.unit, system: SYSTEMS.ucum, code: row.detail.ucum } }
                : {}),
              ...(goal.due ? { dueDate: goal.due } : {}),
            },
          ],
        }
      : {}),
    ...(goal.expressedById ? { expressedBy: ref('Practitioner', goal.expressedById) } : { expressedBy: ref('Patient', ids.patient(story)) }),
    addresses: [ref('Condition', ids.problem(story, goal.conditionIndex))],
  };
}

import type { AgeBand, Plan, Profile, Utilization } from './types.js';

/**
 * The utilization rates of a plan's members: the profile's `utilization` with the plan's own fields
 * laid over it (`plans[].utilization`). Without a plan (no coverage), the profile's.
 */
export function planUtilization(profile: Profile, plan: Plan | undefined): Utilization {
  return plan?.utilization ? { ...profile.utilization, ...plan.utilization } : profile.utilization;
}

/** The age bands a plan's members are drawn from: the plan's own `ageBands`, else `demographics.ageBands`. */
export function planAgeBands(profile: Profile, plan: Plan | undefined): readonly AgeBand[] {
  return plan?.ageBands ?? profile.demographics.ageBands;
}

/** Every age mix the profile draws from: `demographics.ageBands` and each plan's own (for checks over all members). */
export function allAgeBands(profile: Profile): AgeBand[] {
  return [...profile.demographics.ageBands, ...profile.plans.flatMap((plan) => plan.ageBands ?? [])];
}

const merged = new WeakMap<Plan, { source: Profile; profile: Profile }>();

/**
 * The profile as a plan's members see it: its `conditions` with the plan's own rows
 * (`plans[].conditions`) in place of the profile's rows of the same key, in the profile's order (the
 * loader checks that every key of a plan's row is among the profile's). The profile itself when the
 * plan has no rows of its own. One object per plan and profile.
 */
export function planProfile(profile: Profile, plan: Plan | undefined): Profile {
  if (!plan?.conditions?.length) return profile;
  const known = merged.get(plan);
  if (known?.source === profile) return known.profile;
  const own = new Map(plan.conditions.map((c) => [c.key, c]));
  const result = { ...profile, conditions: profile.conditions.map((c) => own.get(c.key) ?? c) };
  merged.set(plan, { source: profile, profile: result });
  return result;
}

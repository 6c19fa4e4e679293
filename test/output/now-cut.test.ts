import fc from 'fast-check';
import type { Encounter, ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/profile/types.js';
import { addDays, daysBetween } from '../../src/util/dates.js';
import { randomProfiles } from '../helpers/arbitraries.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { sharedValidator } from '../helpers/validator.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function population(profile: Profile, now?: string): Resource[] {
  const t = tempDir();
  temps.push(t.cleanup);
  generateTo(t.dir, profile, now ? { now } : {});
  return bundleResources(t.dir).flatMap((b) => b.resources);
}

/**
 * Fields that may hold a date after now because they are plans by nature, set when the thing was
 * made and known on the day it was made:
 * - Coverage.period.end: the end of the enrolment on file (the plan year); a future end is normal.
 * - Goal.target.dueDate: a target date is the goal's plan.
 * - Device.expirationDate: the implant's expiry, printed on its label at manufacture (UDI (17)).
 * - InsurancePlan.period.end, Basic.extension.valuePeriod.end: the plan year a plan and its formulary are published for.
 * - HealthcareService/PractitionerRole.notAvailable.during: the holiday closures a directory publishes for the plan year.
 * Nothing else: a prescription's validity period has no end, and a care plan ends only at a death (on or before now).
 */
const PLANNED = new Set([
  'Coverage.period.end', 'Goal.target.dueDate', 'Device.expirationDate',
  // The plan year a plan, its formulary and a drug's place on it are published for (InsurancePlan, FormularyItem availability).
  'InsurancePlan.period.end', 'Basic.extension.valuePeriod.end',
  // A directory service's published holiday closures (Plan-Net HealthcareService.notAvailable) in the plan year.
  'HealthcareService.notAvailable.during.start', 'HealthcareService.notAvailable.during.end',
  'PractitionerRole.notAvailable.during.start', 'PractitionerRole.notAvailable.during.end',
]);
/**
 * A prior authorization (PDex, `use` preauthorization) is requested before its service: the service dates
 * it asks for and the period an approval may be used in are plans too. Its `created` (the request) is not.
 */
const PLANNED_PREAUTH = new Set([
  ...PLANNED,
  'ExplanationOfBenefit.billablePeriod.start', 'ExplanationOfBenefit.billablePeriod.end',
  'ExplanationOfBenefit.item.servicedPeriod.start', 'ExplanationOfBenefit.item.servicedPeriod.end',
  'ExplanationOfBenefit.preAuthRefPeriod.end', 'ExplanationOfBenefit.item.extension.valuePeriod.end',
]);

const DATE = /^\d{4}-\d{2}-\d{2}/;

/** Every date, dateTime or instant in the resource (meta aside: lastUpdated is now itself), with its path (no indexes). */
function datedElements(resource: Resource): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, path));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) if (!(path === resource.resourceType && k === 'meta')) walk(v, `${path}.${k}`);
    } else if (typeof node === 'string' && DATE.test(node)) out.push({ path, value: node });
  };
  walk(resource, resource.resourceType);
  return out;
}

/** A random profile with a random "now" inside its period. */
const profileAndNow = randomProfiles.chain((profile) =>
  fc.integer({ min: 0, max: daysBetween(profile.period.start, profile.period.end) }).map((d) => ({ profile, now: addDays(profile.period.start, d) })),
);

describe('the run\'s "now" cuts the simulation', () => {
  it('should date nothing after now but planned ends, and pay no claim after now', () => {
    fc.assert(
      fc.property(profileAndNow, ({ profile, now }) => {
        for (const r of population(profile, now)) {
          const planned = r.resourceType === 'ExplanationOfBenefit' && (r as ExplanationOfBenefit).use === 'preauthorization' ? PLANNED_PREAUTH : PLANNED;
          for (const { path, value } of datedElements(r)) {
            if (planned.has(path)) continue;
            expect(value.slice(0, 10) <= now, `${r.resourceType}/${r.id} ${path} ${value} after now ${now}`).toBe(true);
          }
          if (r.resourceType === 'ExplanationOfBenefit') {
            const eob = r as ExplanationOfBenefit;
            if (eob.payment?.date) expect(eob.payment.date <= now, `${eob.id} paid after now`).toBe(true);
            expect(eob.created.slice(0, 10) <= now, `${eob.id} adjudicated after now`).toBe(true);
          }
          if (r.resourceType === 'Encounter') {
            const e = r as Encounter;
            // A visit going on at now is in progress with no end; every other visit is over.
            expect(e.status === 'in-progress', `${e.id}`).toBe(e.period?.end === undefined);
            if (e.status === 'in-progress') expect(e.hospitalization?.dischargeDisposition, `${e.id}`).toBeUndefined();
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it('should show at a mid-period now the claims adjudicated by then, with the numbers they have at the period end', () => {
    fc.assert(
      fc.property(profileAndNow, ({ profile, now }) => {
        // Claims' EOBs: a prior authorization decided after now is still pended at now (test/fhir/pdex).
        const eobsOf = (rs: Resource[]) =>
          new Map(rs.filter((r): r is ExplanationOfBenefit => r.resourceType === 'ExplanationOfBenefit' && r.use !== 'preauthorization').map((e) => [e.id!, e]));
        const atEnd = eobsOf(population(profile));
        const atNow = eobsOf(population(profile, now));
        const expected = [...atEnd.values()].filter((e) => e.created <= now).map((e) => e.id).sort();
        expect([...atNow.keys()].sort()).toEqual(expected);
        for (const [id, eob] of atNow) {
          const full = atEnd.get(id)!;
          const { meta: _m1, payment: p1, ...rest } = eob;
          const { meta: _m2, payment: p2, ...fullRest } = full;
          expect(rest, id).toEqual(fullRest);
          // Paid by now: the same payment; adjudicated but not yet paid: no payment date.
          expect(p1, id).toEqual(p2!.date! <= now ? p2 : { type: p2!.type, amount: p2!.amount });
        }
      }),
      { numRuns: 8 },
    );
  });

  it('should validate the default population at a mid-period now with 0 errors', async () => {
    const validator = await sharedValidator();
    const resources = population({ ...shippedProfile('default'), members: 12 }, '2025-06-30');
    const errors = validator
      .validate(resources)
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.resourceType}/${i.id}: ${i.path}: ${i.message}`);
    expect(errors.slice(0, 20)).toEqual([]);
  }, 120_000);
});

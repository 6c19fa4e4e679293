import { describe, expect, it } from 'vitest';
import { deriveSig, sigUnitsPerDay } from '../../src/codemaps/clinical-medications.js';
import type { Profile } from '../../src/profile/types.js';
import { chooseRegimens, simulateConditions } from '../../src/story/conditions.js';
import { Rng } from '../../src/util/rng.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

const commercial = shippedProfile('commercial');
const START = commercial.period.start;
const END = commercial.period.end;

/** Conditions of n members aged 70 (female) drawn from the profile. */
function draw(profile: Profile, n: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const rng = new Rng(`conditions-test:${i}`);
    out.push(simulateConditions(rng, profile, codeMaps, '1955-03-01', 'female', START, END).map((c) => c.key));
  }
  return out;
}

describe('condition model', () => {
  const members = draw(commercial, 4000);
  const share = (pred: (keys: string[]) => boolean, among = members) => among.filter(pred).length / among.length;
  const hasAny = (...keys: string[]) => (m: string[]) => keys.some((k) => m.includes(k));
  const DIABETES = ['diabetes-type-2', 'diabetic-kidney-disease', 'diabetic-neuropathy', 'diabetic-retinopathy'];
  const HYPERTENSION = ['hypertension', 'hypertensive-heart-disease', 'hypertensive-ckd'];

  it('gives variants in place of their head, so the group keeps the profile prevalence and the codes vary', () => {
    const lipids = ['hyperlipidemia', 'hypercholesterolemia', 'mixed-hyperlipidemia', 'familial-hypercholesterolemia'];
    // Commercial 65+: hyperlipidemia 50% (CMS CCW); a member has at most one form of the group.
    expect(share(hasAny(...lipids))).toBeGreaterThan(0.46);
    expect(share(hasAny(...lipids))).toBeLessThan(0.54);
    for (const m of members) expect(m.filter((k) => lipids.includes(k)).length).toBeLessThanOrEqual(1);
    for (const k of lipids.slice(0, 3)) expect(share((m) => m.includes(k)), k).toBeGreaterThan(0.03);
  });

  it('makes diabetes likelier with hypertension while keeping its overall rate (co-occurrence)', () => {
    const diabetic = share(hasAny(...DIABETES));
    expect(diabetic).toBeGreaterThan(0.195 * 0.88);
    expect(diabetic).toBeLessThan(0.195 * 1.12);
    const withHtn = share(hasAny(...DIABETES), members.filter(hasAny(...HYPERTENSION)));
    const without = share(hasAny(...DIABETES), members.filter((m) => !hasAny(...HYPERTENSION)(m)));
    expect(withHtn / without).toBeGreaterThan(1.3);
    // Depression ↔ anxiety.
    const anxious = ['anxiety', 'generalized-anxiety', 'panic-disorder'];
    const depressed = ['depression', 'major-depression-recurrent', 'depression-moderate', 'dysthymia'];
    expect(share(hasAny(...anxious), members.filter(hasAny(...depressed)))).toBeGreaterThan(2 * share(hasAny(...anxious), members.filter((m) => !hasAny(...depressed)(m))));
  });

  it('gives each condition drugs that treat it: maintenance drugs for chronic ones, an acute one for acute ones, none for young children', () => {
    for (const row of codeMaps.conditions.values()) {
      if (!row.drugs.length) continue;
      for (let i = 0; i < 20; i++) {
        const rng = new Rng(`regimen:${row.key}:${i}`);
        const regimens = chooseRegimens(rng, codeMaps, row, START, START, END, 70);
        for (const r of regimens) {
          const drug = codeMaps.drugs.get(r.drugKey)!;
          expect([row.key, r.drugKey, row.drugs.includes(r.drugKey), drug.chronic]).toEqual([row.key, r.drugKey, true, row.chronic]);
          expect(r.start >= START && r.start <= END).toBe(true);
          expect([r.daysSupply, r.refills]).toEqual([drug.daysSupply, drug.refills]);
        }
        expect(regimens.length).toBeLessThanOrEqual(row.chronic ? 2 : 1);
        if (regimens.length === 2) expect(codeMaps.drugs.get(regimens[0]!.drugKey)!.therapeuticClass).not.toBe(codeMaps.drugs.get(regimens[1]!.drugKey)!.therapeuticClass);
      }
      expect(chooseRegimens(new Rng('child'), codeMaps, row, START, START, END, 5)).toEqual([]);
    }
    // Hypertension draws on many drugs across members.
    const used = new Set<string>();
    for (let i = 0; i < 300; i++) for (const r of chooseRegimens(new Rng(`htn:${i}`), codeMaps, codeMaps.conditions.get('hypertension')!, START, START, END, 70)) used.add(r.drugKey);
    expect(used.size).toBeGreaterThan(30);
  });

  it('derives a sig for every drug that matches its fill: dose × frequency × days supply = quantity', () => {
    for (const drug of codeMaps.drugs.values()) {
      const sig = codeMaps.clinical.medications.sigs.get(drug.key)!;
      expect([drug.key, Math.abs(sigUnitsPerDay(sig) * drug.daysSupply - drug.quantity) <= 0.01 * drug.quantity]).toEqual([drug.key, true]);
      const derived = deriveSig(drug);
      expect(Math.abs(sigUnitsPerDay(derived) * drug.daysSupply - drug.quantity)).toBeLessThanOrEqual(0.01 * drug.quantity);
    }
    const pen = deriveSig(codeMaps.drugs.get('dulaglutide-9mg-ml-autoinj-trulicity')!);
    expect([pen.text, pen.periodUnit]).toEqual(['Inject 0.5 mL under the skin once weekly', 'wk']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/profile/load.js';
import { pharmacyTierCosts } from '../../src/profile/pharmacy-tiers.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { ProfileError } from '../../src/util/errors.js';
import { codeMaps } from '../helpers/output.js';
import { profileErrorOf } from '../helpers/profile-errors.js';

const options = profileLoadOptions(codeMaps);
const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');
const PPO_COPAY = '      copay: { professional: 30, outpatient: 150, inpatient: 300, pharmacy: 10 }\n';

function withTiers(tiers: string, after = PPO_COPAY): string {
  if (!defaultText.includes(after)) throw new Error('default.yaml changed: the test cannot place its pharmacyTiers');
  return defaultText.replace(after, `${after}      pharmacyTiers:\n${tiers}`);
}

const errorOf = (text: string): ProfileError => profileErrorOf(text, options);

describe('profile costSharing.pharmacyTiers', () => {
  it('should derive the tiers a plan leaves out from its pharmacy copay, and keep those it gives', () => {
    const profile = parseProfile(withTiers('        preferred-brand: { copay: 42 }\n        specialty: { coinsurance: 0.3 }\n'), 'p.yaml', options);
    const ppo = profile.plans.find((p) => p.id === 'ppo-gold')!;
    expect(pharmacyTierCosts(ppo.costSharing)).toEqual({
      'preferred-generic': { copay: 10 },
      generic: { copay: 10 },
      'preferred-brand': { copay: 42 },
      'non-preferred-brand': { copay: 50 },
      specialty: { coinsurance: 0.3 },
    });
    const hmo = profile.plans.find((p) => p.id === 'hmo-silver')!;
    expect(pharmacyTierCosts(hmo.costSharing)['preferred-brand']).toEqual({ copay: 45 });
  });

  it('should refuse a tier with both a copay and a coinsurance, in one line at the tier', () => {
    const e = errorOf(withTiers('        generic: { copay: 5, coinsurance: 0.2 }\n'));
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+: plans\[0\]\.costSharing\.pharmacyTiers\.generic: give the generic tier a copay \(dollars\) or a coinsurance \(0\.\.1\), one of the two$/);
    expect(errorOf(withTiers('        generic: {}\n')).message).toMatch(/pharmacyTiers\.generic: give the generic tier a copay/);
  });

  it('should refuse a tier the formulary does not have', () => {
    const e = errorOf(withTiers('        tier-6: { copay: 5 }\n'));
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+: plans\[0\]\.costSharing\.pharmacyTiers.*tier-6/);
  });

  it('should refuse pharmacy tiers on a dental plan', () => {
    const after = '      deductible: 50\n';
    const e = errorOf(withTiers('        generic: { copay: 5 }\n', after));
    expect(e.message).toMatch(/plans\[4\]\.costSharing\.pharmacyTiers: a dental plan pays only oral claims, so it has no pharmacy tiers$/);
  });
});

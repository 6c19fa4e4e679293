import fc from 'fast-check';
import type { Profile } from '../../src/profile/types.js';
import { shippedProfile } from './output.js';

const shipped = ['default', 'commercial', 'medicare-advantage', 'medicaid', 'dental'].map((n) => shippedProfile(n));

/** Random valid profiles: a shipped one with another seed, size, utilization and claim rates. */
export const randomProfiles: fc.Arbitrary<Profile> = fc
  .record({
    which: fc.integer({ min: 0, max: shipped.length - 1 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    members: fc.integer({ min: 1, max: 10 }),
    scale: fc.double({ min: 0, max: 3, noNaN: true }),
    denialRate: fc.double({ min: 0, max: 0.6, noNaN: true }),
    outOfNetworkRate: fc.double({ min: 0, max: 0.6, noNaN: true }),
    coveragePlan: fc.boolean(),
  })
  .map(({ which, seed, members, scale, denialRate, outOfNetworkRate, coveragePlan }) => {
    const p = shipped[which]!;
    const utilization = Object.fromEntries(Object.entries(p.utilization).map(([k, v]) => [k, v * scale])) as Profile['utilization'];
    return { ...p, seed, members, utilization, claims: { denialRate, outOfNetworkRate }, coveragePlan };
  });

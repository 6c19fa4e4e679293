import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generate } from '../../src/output/generate.js';
import { parseProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { addDays } from '../../src/util/dates.js';
import { ProfileError } from '../../src/util/errors.js';
import { codeMaps, tempDir } from '../helpers/output.js';

const options = profileLoadOptions(codeMaps);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
const base = parse(readFileSync(join('profiles', 'default.yaml'), 'utf8')) as Doc;
const temp = tempDir('fhirseed-profile-mutations-');
afterAll(() => temp.cleanup());

const STATES = ['MA', 'NH', 'DC', 'PR', 'ZZ', 'GU', 'ma'];
const PLAN_TYPES = ['commercial', 'medicare-advantage', 'medicaid', 'dental'];
const CLAIM_TYPES = ['professional', 'outpatient', 'inpatient', 'pharmacy', 'oral'];

const age = fc.integer({ min: 0, max: 125 });
const share = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-0.1, 0, 1, 1.5));
/** Shares that sum to 1 most of the time, so that more mutations get past the sums to the later checks. */
const shares = (n: number) => fc.oneof(
  fc.array(fc.integer({ min: 0, max: 10 }), { minLength: n, maxLength: n }).map((w) => {
    const total = w.reduce((s, x) => s + x, 0) || 1;
    const out = w.map((x) => Math.round((x / total) * 1000) / 1000);
    out[0] = Math.round((1 - out.slice(1).reduce((s, x) => s + x, 0)) * 1000) / 1000;
    return out;
  }),
  fc.array(share, { minLength: n, maxLength: n }),
);
const date = fc.integer({ min: 0, max: 1200 * 366 }).map((d) => addDays('1850-01-01', d));

/** One change to a profile document: what a user might write, sensible or not. */
const mutation: fc.Arbitrary<(p: Doc) => void> = fc.oneof(
  fc.tuple(date, fc.integer({ min: -40, max: 4000 })).map(([start, days]) => (p: Doc) => {
    p.period = { start, end: addDays(start, days) };
  }),
  fc.tuple(fc.integer({ min: 2020, max: 2030 }), fc.integer({ min: 85, max: 3700 })).map(([year, days]) => (p: Doc) => {
    p.period = { start: `${year}-03-01`, end: addDays(`${year}-03-01`, days) };
  }),
  fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.array(fc.tuple(age, age), { minLength: n, maxLength: n }), shares(n))).map(([bands, s]) => (p: Doc) => {
    p.demographics.ageBands = bands.map(([a, b], i) => ({ min: Math.min(a, b), max: Math.max(a, b), share: s[i] }));
  }),
  fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(fc.array(fc.constantFrom(...STATES), { minLength: n, maxLength: n }), shares(n))).map(([codes, s]) => (p: Doc) => {
    p.demographics.states = codes.map((code, i) => ({ code, share: s[i] }));
  }),
  fc.option(fc.constantFrom(...STATES)).map((state) => (p: Doc) => {
    if (state === null) delete p.payer.state;
    else p.payer.state = state;
  }),
  fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(fc.array(fc.constantFrom(...PLAN_TYPES), { minLength: n, maxLength: n }), shares(n))).map(([types, s]) => (p: Doc) => {
    p.plans = types.map((type, i) => ({ ...structuredClone(base.plans[i % base.plans.length]), id: `plan-${i}`, type, share: s[i] }));
  }),
  fc.tuple(fc.nat(4), fc.constantFrom(...CLAIM_TYPES), fc.integer({ min: 0, max: 500 })).map(([i, type, copay]) => (p: Doc) => {
    const plan = p.plans[i % p.plans.length];
    plan.costSharing.copay = { ...plan.costSharing.copay, [type]: copay };
  }),
  fc.tuple(fc.nat(4), fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 0, max: 10000 })).map(([i, deductible, outOfPocketMax]) => (p: Doc) => {
    Object.assign(p.plans[i % p.plans.length].costSharing, { deductible, outOfPocketMax });
  }),
  fc.tuple(fc.nat(21), share, fc.array(fc.tuple(age, age, share), { maxLength: 3 }), fc.option(fc.record({ female: share, male: share }))).map(([i, prevalence, bands, bySex]) => (p: Doc) => {
    const c = p.conditions[i % Math.max(1, p.conditions.length)];
    if (!c) return;
    c.prevalence = prevalence;
    c.byAgeBand = bands.map(([a, b, q]) => ({ min: Math.min(a, b), max: Math.max(a, b), prevalence: q }));
    if (bySex) c.bySex = bySex;
    else delete c.bySex;
  }),
  fc.nat(21).map((i) => (p: Doc) => {
    p.conditions = p.conditions.slice(0, i);
  }),
  fc.record(Object.fromEntries(CLAIM_TYPES.map((t) => [t, fc.oneof(fc.constant(0), fc.double({ min: 0, max: 40, noNaN: true }), fc.constant(400))]))).map((u) => (p: Doc) => {
    p.utilization = u;
  }),
  fc.tuple(fc.constantFrom('race', 'ethnicity'), fc.constantFrom('2106-3', '2135-2', '2186-5', '9999-9')).map(([table, code]) => (p: Doc) => {
    p.demographics[table] = [{ code, share: 1 }];
  }),
  fc.record({ dependentShare: share, denialRate: share, organizations: fc.integer({ min: 0, max: 3 }), practitioners: fc.integer({ min: 0, max: 3 }), pharmacies: fc.integer({ min: 0, max: 2 }) }).map((r) => (p: Doc) => {
    p.demographics.dependentShare = r.dependentShare;
    p.claims = { denialRate: r.denialRate, outOfNetworkRate: 0.1 };
    p.providers = { organizations: r.organizations, practitioners: r.practitioners, pharmacies: r.pharmacies };
  }),
  fc.tuple(fc.constantFrom(['payer', 'memberIdPrefix'], ['period', 'end'], ['utilization', 'oral'], ['plans', 0, 'costSharing', 'deductible'], ['seed'], ['members']), fc.boolean()).map(([path, typo]) => (p: Doc) => {
    const parent = path.slice(0, -1).reduce((o: Doc, k) => o[k as string], p);
    const key = path[path.length - 1] as string;
    if (typo) parent[`${key.slice(0, -1)}x`] = parent[key];
    delete parent[key];
  }),
  fc.constantFrom<(p: Doc) => void>((p) => (p.members = 0), (p) => (p.coveragePlan = false), (p) => (p.usCore = '3.1.1'), (p) => (p.period.start = '2025-02-30')),
);

describe('profile checks against the generator', () => {
  it('should generate every profile loadProfile accepts, and refuse the others with file, line and column', { timeout: 600_000 }, () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 3 }), (mutations, members) => {
        const doc = structuredClone(base);
        for (const m of mutations) m(doc);
        let profile: Profile;
        try {
          profile = parseProfile(stringify(doc), 'mutated.yaml', options);
        } catch (error) {
          expect(error).toBeInstanceOf(ProfileError);
          const e = error as ProfileError;
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.message).toMatch(/^mutated\.yaml:\d+:\d+: \S+: [^\n]+$/);
          refused++;
          return;
        }
        accepted++;
        const out = join(temp.dir, `run-${accepted}`);
        const manifest = generate({ profile: { ...profile, members: Math.min(profile.members, members) }, out, codeMaps });
        expect(manifest.members.written).toBe(Math.min(profile.members, members));
      }),
      { numRuns: Number(process.env.RUNS ?? 150) },
    );
    if (process.env.RUNS) console.log({ accepted, refused });
    // Both sides of the property were exercised. About 20 % of the mutated profiles are accepted (214 of 1,050 in 7
    // runs of 150, 2026-12-01; 99.99 % lower bound 16 %): 3 or fewer of 150 happens once in 5e7 runs at 16 %, once in
    // 1.4e6 with the batches' spread added; a mutator that gets nothing past the checks still fails here.
    expect(accepted).toBeGreaterThan(3);
    expect(refused).toBeGreaterThan(10);
  });
});

import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimSelectedIgs, ids } from '../../src/fhir/context.js';
import { buildCarinBbEobs, buildMemberCoreResources } from '../../src/fhir/carin-bb/index.js';
import { layerPdex } from '../../src/fhir/pdex/layer.js';
import { buildPdexMemberResources } from '../../src/fhir/pdex/prior-authorization.js';
import { buildUsCoreMemberResources, layerUsCore } from '../../src/fhir/us-core/index.js';
import { IG_NAMES, type IgName } from '../../src/profile/igs.js';
import { buildDirectory } from '../../src/story/directory.js';
import { simulateMember } from '../../src/story/simulate.js';
import { testAccount } from '../../src/output/accounts.js';
import { transactionBundle } from '../../src/output/bundle.js';
import { memberBuilder } from '../../src/output/member-builder.js';
import { GroupRenderer, groupText, renderGroup, type RenderOptions } from '../../src/output/render.js';
import { splitGroup } from '../../src/output/split.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

// Resources with in-group references (some in circles), text that JSON escapes (quotes, newlines, non-ASCII) and ids.
const text = fc.oneof(fc.string(), fc.constantFrom('a\nb', 'é\u2028', '"q"', '\\', '\ud83d\ude00', ''));
const resources = fc.integer({ min: 0, max: 30 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record({
        type: fc.constantFrom('Patient', 'Observation', 'Encounter'),
        refs: fc.array(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { maxLength: 3 }),
        note: text,
        extra: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(text, fc.integer(), fc.constant([]), fc.constant({})), { maxKeys: 3 }), { nil: undefined }),
        i: fc.constant(i),
      }),
    ),
  ).map((specs) => {
    const types = specs.map((s) => s.type);
    return specs.map((s): Resource => ({
      resourceType: s.type,
      id: `r${s.i}`,
      meta: { profile: [`http://x/${s.type}`] },
      note: [{ text: s.note }],
      ...(s.extra ? { extension: [{ url: 'u', valueString: JSON.stringify(s.extra) }], contained: [s.extra] } : {}),
      related: s.refs.map((k) => ({ reference: `${types[k]}/r${k}` })),
    }) as unknown as Resource);
  }),
);

describe('GroupRenderer (each resource rendered when it is added)', () => {
  it('should write the bundles exactly as JSON.stringify of the split transaction bundles, compact and pretty, and NDJSON lines of the same text', () => {
    fc.assert(
      fc.property(resources, fc.integer({ min: 1, max: 12 }), fc.boolean(), (group, max, pretty) => {
        const options: RenderOptions = { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: max, pretty };
        const renderer = new GroupRenderer(options);
        for (const r of group) renderer.add(r);
        const rendered = renderer.finish('bundles/member-000003.json');
        const parts = splitGroup(group, max);
        expect(rendered.bundles.map((b) => b.file)).toEqual(parts.map((_, i) => (i === 0 ? 'bundles/member-000003.json' : `bundles/member-000003-${i + 1}.json`)));
        rendered.bundles.forEach((b, i) =>
          expect(groupText(rendered, b)).toBe(`${pretty ? JSON.stringify(transactionBundle(parts[i]!), null, 2) : JSON.stringify(transactionBundle(parts[i]!))}\n`));
        const lines = rendered.ndjson.flatMap((range) => groupText(rendered, range).split('\n').filter(Boolean));
        const byType = [...new Set(group.map((r) => r.resourceType))].flatMap((t) => group.filter((r) => r.resourceType === t).map((r) => JSON.stringify(r)));
        expect(lines).toEqual(byType);
        expect(rendered.byType).toEqual(Object.fromEntries([...new Set(group.map((r) => r.resourceType))].map((t) => [t, group.filter((r) => r.resourceType === t).length])));
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('should take each resource as it is when added: changing it afterwards changes nothing written', () => {
    fc.assert(
      fc.property(resources, fc.boolean(), (group, pretty) => {
        const options: RenderOptions = { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: 5, pretty };
        const expected = renderGroup('bundles/directory.json', group, options);
        const expectedText = [...expected.bundles, ...expected.ndjson].map((r) => groupText(expected, r));
        const renderer = new GroupRenderer(options);
        for (const r of structuredClone(group)) {
          renderer.add(r);
          // The builder's object is free to go (or change) once added.
          (r as { id?: string }).id = 'changed';
          (r as unknown as { related: unknown[] }).related = [];
          (r as unknown as { note: unknown[] }).note.push({ text: 'later' });
        }
        const rendered = renderer.finish('bundles/directory.json');
        expect([...rendered.bundles, ...rendered.ndjson].map((r) => groupText(rendered, r))).toEqual(expectedText);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('should refuse a resource after finish, and a second finish', () => {
    const renderer = new GroupRenderer({ formats: new Set(['ndjson']), maxBundleEntries: 500 });
    renderer.add({ resourceType: 'Patient', id: 'p' });
    renderer.finish('bundles/x.json');
    expect(() => renderer.add({ resourceType: 'Patient', id: 'q' })).toThrow(/after finish/);
    expect(() => renderer.finish('bundles/x.json')).toThrow(/twice/);
  });
});

describe('memberBuilder, rendering each builder\'s resources as they are built', () => {
  // The composition the member builder made before it rendered as it built (all resources first, then each layer over all).
  const profile = { ...shippedProfile('default'), members: 40 };
  const directory = buildDirectory(profile, codeMaps);
  function builtAllFirst(index: number, igs: readonly IgName[]): Resource[] {
    const ctx = {
      profile,
      codeMaps,
      directory,
      runId: 'r',
      lastUpdated: `${profile.period.end}T00:00:00Z`,
      usCoreVersion: '6.1.0' as const,
      plansById: new Map(profile.plans.map((p) => [p.id, p])),
      igs: new Set(igs),
    };
    const has = (ig: IgName) => ctx.igs.has(ig);
    const story = simulateMember({ profile, codeMaps, directory, now: profile.period.end }, index);
    return [...buildMemberCoreResources(story, ctx), ...(has('carin-bb') ? buildCarinBbEobs(story, ctx) : [])]
      .map((r) => (has('us-core') ? layerUsCore(r, story, ctx) : r))
      .concat(has('us-core') ? buildUsCoreMemberResources(story, ctx) : [])
      .concat(has('pdex') ? buildPdexMemberResources(story, ctx) : [])
      .map((r) => layerPdex(r, ctx))
      .map((r) => claimSelectedIgs(r, ctx));
  }

  it('should write the same bytes as rendering the whole member at once, for each IG selection, split and pretty', { timeout: 300_000 }, () => {
    const cases: [IgName[], RenderOptions][] = [
      [[...IG_NAMES], { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: 500 }],
      [[...IG_NAMES], { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: 40 }],
      [[...IG_NAMES], { formats: new Set(['bundles']), maxBundleEntries: 60, pretty: true }],
      [['us-core'], { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: 50 }],
      [['carin-bb', 'pdex'], { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: 500 }],
    ];
    for (const [igs, render] of cases) {
      const builder = memberBuilder({ profile, now: profile.period.end, runId: 'r', usCoreVersion: '6.1.0', igs, render }, codeMaps);
      for (const index of igs.length === IG_NAMES.length && render.maxBundleEntries === 500 ? [0, 23] : [23]) {
        const group = builder.member(index);
        const story = simulateMember({ profile, codeMaps, directory, now: profile.period.end }, index);
        const expected = renderGroup(`bundles/member-${String(index).padStart(6, '0')}.json`, builtAllFirst(index, igs), render, testAccount(story, ids.patient(story)));
        expect(Buffer.from(group.bytes).equals(Buffer.from(expected.bytes)), `${igs.join(',')} member ${index}`).toBe(true);
        expect({ ...group, bytes: undefined, attribution: undefined }).toEqual({ ...expected, bytes: undefined });
      }
    }
  });
});

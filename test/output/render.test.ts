import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { transactionBundle } from '../../src/output/bundle.js';
import { memberBuilder } from '../../src/output/member-builder.js';
import { groupText, renderGroup, type RenderedGroup } from '../../src/output/render.js';
import { splitGroup } from '../../src/output/split.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

describe('renderGroup (one serialisation per resource)', () => {
  let members: Resource[][];
  beforeAll(() => {
    const profile = { ...shippedProfile('default'), members: 4 };
    const builder = memberBuilder({ profile, now: profile.period.end, runId: 'r', usCoreVersion: '6.1.0', render: { formats: new Set(['ndjson']), maxBundleEntries: 500 } }, codeMaps);
    // The resources back from the NDJSON text: what the builders made, as plain JSON.
    members = [0, 1, 2, 3].map((i) => ndjsonLines(builder.member(i)).map(([, l]) => JSON.parse(l) as Resource));
  });

  it('should write each compact bundle as exactly JSON.stringify of the transaction bundle, and NDJSON lines as the same resource text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 120 }), (m, max) => {
        const resources = members[m]!;
        const group = renderGroup('bundles/member-000001.json', resources, { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: max });
        const parts = splitGroup(resources, max);
        expect(group.bundles.map((b) => b.file)).toEqual(parts.map((_, i) => (i === 0 ? 'bundles/member-000001.json' : `bundles/member-000001-${i + 1}.json`)));
        group.bundles.forEach((b, i) => expect(groupText(group, b)).toBe(`${JSON.stringify(transactionBundle(parts[i]!))}\n`));
        const lines = ndjsonLines(group);
        expect(lines).toHaveLength(resources.length);
        for (const [type, line] of lines) expect(JSON.parse(line!).resourceType).toBe(type);
        expect(lines.map(([, l]) => l).sort()).toEqual(resources.map((r) => JSON.stringify(r)).sort());
      }),
      { numRuns: 25 },
    );
  });

  it('should indent the bundles with pretty, and leave NDJSON and counts as they are', () => {
    const resources = members[0]!;
    const compact = renderGroup('bundles/directory.json', resources, { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: 5000 });
    const pretty = renderGroup('bundles/directory.json', resources, { formats: new Set(['bundles', 'ndjson']), maxBundleEntries: 5000, pretty: true });
    expect(groupText(pretty, pretty.bundles[0]!)).toBe(`${JSON.stringify(transactionBundle(resources), null, 2)}\n`);
    expect(groupText(compact, compact.bundles[0]!).split('\n')).toHaveLength(2);
    expect(JSON.parse(groupText(pretty, pretty.bundles[0]!))).toEqual(JSON.parse(groupText(compact, compact.bundles[0]!)));
    expect(ndjsonLines(pretty)).toEqual(ndjsonLines(compact));
    expect(pretty.byType).toEqual(compact.byType);
  });
});

/** A group's NDJSON lines as [type, line], in the order written. */
function ndjsonLines(group: RenderedGroup): [type: string, line: string][] {
  return group.ndjson.flatMap((range) => groupText(group, range).split('\n').filter(Boolean).map((l): [string, string] => [range.type, l]));
}

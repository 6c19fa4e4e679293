// generate keeps every member's provider attribution until its last member (src/output/attribution.ts), so what it
// holds per member grows with the population: at 100,000 members `--jobs 2` the peak RSS was 328 MiB against 290 at
// 10,000 (issue 13). A [patient, [organizations]] pair per member, its strings copied out of each worker's answer,
// held 16.2 MiB of heap at 100,000 members, an array of Patient id strings per Organization 3.6 MiB.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { membersByOrganization } from '../../src/fhir/pdex/attribution.js';
import { Attribution } from '../../src/output/attribution.js';
import type { MemberBuilder } from '../../src/output/member-builder.js';
import type { RenderedGroup } from '../../src/output/render.js';
import type { OutputWriter } from '../../src/output/writer.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Member i's group as a worker's answer brings it: 4 in 5 attributed, to one of 37 organizations or (every 7th) two. */
function group(i: number): RenderedGroup {
  const patient = `fs-${String(i).padStart(12, '0')}`;
  const organizations = i % 7 === 0 ? [`fs-3c2a2f9acc-org${i % 37}`, 'fs-3c2a2f9acc-org99'] : [`fs-3c2a2f9acc-org${i % 37}`];
  const attribution: [string, string[]][] | undefined = i % 5 === 4 ? undefined : [[patient, organizations]];
  return structuredClone({ bytes: new Uint8Array(0), bundles: [], ndjson: [], byType: {}, byProfile: {}, attribution });
}

/** The attribution `builder.groups` is handed at the end, as Organization → sorted Patient ids (what the Groups list). */
function written(attribution: Attribution): [string, string[]][] {
  let got: [string, string[]][] = [];
  const builder = { groups: (a: Iterable<[string, string[]]>) => ((got = membersByOrganization(a)), undefined) } as unknown as MemberBuilder;
  attribution.write(builder, {} as OutputWriter);
  return got;
}

describe('Attribution: what generate keeps of each member until the end', () => {
  it('should hand the Groups every attributed patient of every organization, sorted, each once', () => {
    const attribution = new Attribution(undefined);
    for (let i = 0; i < 40; i++) attribution.add(group(i));
    const expected = membersByOrganization(Array.from({ length: 40 }, (_, i) => group(i).attribution ?? []).flat());
    expect(written(attribution)).toEqual(expected);
    expect(expected.find(([o]) => o === 'fs-3c2a2f9acc-org99')![1]).toHaveLength(5);
  });

  it('should hold under 1 MiB of heap and 3 MiB of bytes for 100,000 members (a pair per member held 16.2 MiB of heap, Patient id strings 3.6)', () => {
    const attribution = new Attribution(undefined);
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < 100_000; i++) attribution.add(group(i));
    gc();
    const after = process.memoryUsage();
    expect((after.heapUsed - before.heapUsed) / 2 ** 20).toBeLessThan(1);
    expect((after.arrayBuffers - before.arrayBuffers) / 2 ** 20).toBeLessThan(3);
    let pairs = 0;
    for (let i = 0; i < 100_000; i++) pairs += group(i).attribution?.[0]?.[1].length ?? 0;
    expect(written(attribution).reduce((n, [, patients]) => n + patients.length, 0)).toBe(pairs);
  }, 60_000);
});

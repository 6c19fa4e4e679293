// generate --jobs N (issue 13): a building thread's render buffer holds a group's texts and one bundle file at a time
// when the thread writes its bundle files itself, not the texts, every bundle and the NDJSON lines (a heavy member's
// three copies kept each thread's buffer at twice the size for the rest of the run). In ISOLATED (vitest.config.ts):
// it resets the module graph, for a render buffer (module state that only grows) that starts empty.
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it, vi } from 'vitest';
import { transactionBundle } from '../../src/output/bundle.js';
import { groupText, renderGroup } from '../../src/output/render.js';

const both = new Set(['bundles', 'ndjson'] as const);
// Six resources of about 1.1 MB each, two types taking turns (so that a type's lines are not all in one stretch).
const big = Array.from({ length: 6 }, (_, i) => ({ resourceType: i % 2 ? 'Observation' : 'Patient', id: `r${i}`, text: { div: `${'x'.repeat(1_100_000)}${i}` } }) as unknown as Resource);
const textBytes = big.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)), 0);
const linesOf = (t: string) => big.filter((r) => r.resourceType === t).map((r) => `${JSON.stringify(r)}\n`).join('');

describe('GroupRenderer with writeBundle', () => {
  it('should hand over each bundle file whole before the next overwrites it, and keep the NDJSON lines', () => {
    for (const maxBundleEntries of [100, 2]) {
      const written: [string, string][] = [];
      const group = renderGroup('bundles/member-000001.json', big, { formats: both, maxBundleEntries }, undefined, (file, bytes) =>
        written.push([file, Buffer.from(bytes).toString('utf8')]));
      const plain = renderGroup('bundles/member-000001.json', big, { formats: both, maxBundleEntries });
      expect(written).toEqual(plain.bundles.map((b) => [b.file, groupText(plain, b)]));
      expect(written.length).toBe(maxBundleEntries === 100 ? 1 : 3);
      if (maxBundleEntries === 100) expect(written[0]![1]).toBe(`${JSON.stringify(transactionBundle(big))}\n`);
      expect(group.ndjson.map((r) => [r.type, groupText(group, r)])).toEqual(['Patient', 'Observation'].map((t) => [t, linesOf(t)]));
      expect(plain.ndjson.map((r) => [r.type, groupText(plain, r)])).toEqual(['Patient', 'Observation'].map((t) => [t, linesOf(t)]));
      expect(group.bytes.byteLength).toBe(textBytes + big.length);
    }
  });

  it('should need room for the texts and one bundle, not also the NDJSON lines', async () => {
    vi.resetModules();
    const render = await import('../../src/output/render.js');
    expect(render.sinkCapacity()).toBe(0);
    render.renderGroup('bundles/member-000001.json', big, { formats: both, maxBundleEntries: 100 }, undefined, () => undefined);
    expect(render.sinkCapacity()).toBeGreaterThan(textBytes);
    expect(render.sinkCapacity()).toBeLessThan(3 * textBytes);
    // Without writeBundle the texts and every bundle file are held: the buffer shows what a group needed.
    render.renderGroup('bundles/member-000001.json', big, { formats: both, maxBundleEntries: 100 });
    expect(render.sinkCapacity()).toBeGreaterThan(2 * textBytes);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { groupText, releaseBytes, renderGroup, type RenderedGroup } from '../../src/output/render.js';
import { OutputWriter } from '../../src/output/writer.js';

/**
 * generate's memory (issue 13): a group's bytes are given back as soon as the writer has written them.
 * Hand-made groups, no population.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fhirseed-release-'));
  dirs.push(d);
  return d;
}

const both = new Set(['bundles', 'ndjson'] as const);

function group(index: number, n: number): RenderedGroup {
  const resources = Array.from({ length: n }, (_, i) => ({ resourceType: i % 2 ? 'Coverage' : 'Patient', id: `m${index}-${i}`, text: { div: `Zoë ${i}` } }) as unknown as Resource);
  return renderGroup(`bundles/member-${String(index).padStart(6, '0')}.json`, resources, { formats: both, maxBundleEntries: 3 });
}

/** Every file a group writes, with the text it should hold (read before the writer may release the bytes). */
function expectedFiles(groups: RenderedGroup[]): { bundles: [string, string][]; ndjson: Record<string, string> } {
  const bundles: [string, string][] = [];
  const ndjson: Record<string, string> = {};
  for (const g of groups) {
    for (const b of g.bundles) bundles.push([b.file, groupText(g, b)]);
    for (const r of g.ndjson) ndjson[r.type] = (ndjson[r.type] ?? '') + groupText(g, r);
  }
  return { bundles, ndjson };
}

function expectWritten(dir: string, expected: ReturnType<typeof expectedFiles>): void {
  for (const [file, text] of expected.bundles) expect(readFileSync(join(dir, file), 'utf8')).toBe(text);
  for (const [type, text] of Object.entries(expected.ndjson)) expect(readFileSync(join(dir, 'ndjson', `${type}.ndjson`), 'utf8')).toBe(text);
}

describe('OutputWriter with releaseWritten', () => {
  it('should release a group\'s bytes once its files are written (synchronous writer), the files holding the same bytes', () => {
    const dir = tempDir();
    const w = new OutputWriter(dir, both, undefined, false, true);
    w.open();
    const groups = [1, 2, 3].map((i) => group(i, 2 + i * 2));
    const expected = expectedFiles(groups);
    for (const g of groups) {
      const size = g.bytes.byteLength;
      expect(size).toBeGreaterThan(0);
      w.writeMember(g);
      expect(g.bytes.byteLength).toBe(0);
    }
    w.close();
    expectWritten(dir, expected);
  });

  it('streaming: should keep a group\'s bytes while its bundle files are being written and release them after', async () => {
    const dir = tempDir();
    const w = new OutputWriter(dir, both, undefined, true, true);
    w.open();
    const groups = Array.from({ length: 12 }, (_, i) => group(i, 7));
    const expected = expectedFiles(groups);
    for (const g of groups) {
      await w.drained();
      w.writeMember(g);
      // Its bundle writes are in flight: the bytes they read from are still there.
      expect(g.bytes.byteLength).toBeGreaterThan(0);
    }
    w.close();
    await w.finished();
    await new Promise((resolve) => setImmediate(resolve));
    expect(groups.map((g) => g.bytes.byteLength)).toEqual(groups.map(() => 0));
    expectWritten(dir, expected);
  });

  it('should leave the bytes alone without releaseWritten (the default)', () => {
    const w = new OutputWriter(tempDir(), both, undefined);
    w.open();
    const g = group(1, 4);
    const size = g.bytes.byteLength;
    w.writeMember(g);
    w.close();
    expect(g.bytes.byteLength).toBe(size);
  });
});

describe('releaseBytes', () => {
  it('should release only a buffer that is exactly the bytes: never a view into Buffer\'s shared pool or into a larger buffer', () => {
    const pooled = Buffer.from('abc');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    releaseBytes(pooled);
    expect(pooled.toString()).toBe('abc');
    const own = Buffer.allocUnsafeSlow(16).fill(1);
    const view = own.subarray(0, 8);
    releaseBytes(view);
    expect(own.byteLength).toBe(16);
    releaseBytes(own);
    expect(own.byteLength).toBe(0);
    expect(view.byteLength).toBe(0);
  });
});

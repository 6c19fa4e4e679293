// generate --jobs N (issue 13): each building thread writes its members' bundle files itself, and only the NDJSON
// bytes travel to the writer's thread. render.ts renderGroup's writeBundle, member-builder.ts bundleDir, the writer's
// bundlesWritten, a worker's failed write carried across as the environment's (write-failure.ts). The worker case
// starts a worker thread from the TypeScript sources (seconds; more on a loaded machine), hence its timeout.
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { answerError, answerMember, type WorkerError } from '../../src/output/member-answer.js';
import { memberBuilder, type MemberSetup } from '../../src/output/member-builder.js';
import { groupText, renderGroup, type RenderedGroup } from '../../src/output/render.js';
import { MemberThreads } from '../../src/output/workers.js';
import { writeFailure } from '../../src/output/write-failure.js';
import { OutputWriter } from '../../src/output/writer.js';
import { UserError } from '../../src/util/errors.js';
import { codeMaps, shippedProfile, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
const newDir = () => {
  const t = tempDir('fhirseed-thread-bundles-');
  temps.push(t.cleanup);
  return t.dir;
};

const both = new Set(['bundles', 'ndjson'] as const);
const resources = Array.from({ length: 7 }, (_, i) => ({ resourceType: i % 3 ? 'Coverage' : 'Patient', id: `p${i}`, text: { div: `Zoë ${i}` } }) as unknown as Resource);
const ndjsonBytes = (g: RenderedGroup) => g.ndjson.reduce((sum, r) => sum + r.end - r.start, 0);

describe('renderGroup with writeBundle', () => {
  it('should hand over each bundle file as it is made, the same bytes as without, and keep only the NDJSON lines', () => {
    const plain = renderGroup('bundles/member-000001.json', resources, { formats: both, maxBundleEntries: 3 });
    const written: [string, string][] = [];
    const group = renderGroup('bundles/member-000001.json', resources, { formats: both, maxBundleEntries: 3 }, undefined, (file, bytes) =>
      written.push([file, Buffer.from(bytes).toString('utf8')]));
    expect(plain.bundles.length).toBeGreaterThan(1);
    expect(written).toEqual(plain.bundles.map((b) => [b.file, groupText(plain, b)]));
    expect(group.bundlesWritten).toBe(true);
    expect(group.bundles).toEqual(plain.bundles.map((b) => ({ file: b.file, start: 0, end: 0 })));
    // Only the NDJSON lines are left: half of the plain group's bytes, every line the same.
    expect(group.bytes.byteLength).toBe(ndjsonBytes(plain));
    expect(group.bytes.byteLength).toBeLessThan(plain.bytes.byteLength);
    expect(group.ndjson.map((r) => [r.type, groupText(group, r)])).toEqual(plain.ndjson.map((r) => [r.type, groupText(plain, r)]));
    expect(plain.bundlesWritten).toBeUndefined();
  });
});

describe('OutputWriter with a group whose bundles are written', () => {
  it('should count and list its bundle files without writing them, and write its NDJSON lines', () => {
    const dir = newDir();
    const w = new OutputWriter(dir, both, undefined);
    w.open();
    const group = renderGroup('bundles/member-000001.json', resources, { formats: both, maxBundleEntries: 3 }, undefined, () => undefined);
    w.writeMember(group);
    w.close();
    expect(w.counts.bundles).toBe(group.bundles.length);
    // A member's further parts are listed in the manifest; nothing was written to them here.
    expect([...w.files].filter((f) => f.startsWith('bundles/'))).toEqual(group.bundles.slice(1).map((b) => b.file));
    expect(readdirSync(join(dir, 'bundles'))).toEqual([]);
    expect(readFileSync(join(dir, 'ndjson', 'Coverage.ndjson'), 'utf8')).toBe(groupText(group, group.ndjson.find((r) => r.type === 'Coverage')!));
  });
});

const profile = { ...shippedProfile('default'), members: 4 };
const setup: MemberSetup = {
  profile, now: profile.period.end, runId: 'r', usCoreVersion: profile.usCore, igs: ['pdex', 'carin-bb'],
  render: { formats: both, maxBundleEntries: 40, pretty: false },
};

describe('memberBuilder with bundleDir', () => {
  it('should write the member\'s bundle files into bundleDir, the bytes the writer would have written, on this thread and in a worker', async () => {
    const plain = memberBuilder(setup, codeMaps);
    const expected = [1, 2, 3].map((i) => plain.member(i));
    // The writer's open() makes bundles/ before any member is built.
    const here = newDir();
    mkdirSync(join(here, 'bundles'));
    const local = memberBuilder({ ...setup, bundleDir: here }, codeMaps).member(1);
    const worker = newDir();
    mkdirSync(join(worker, 'bundles'));
    const fromWorker: RenderedGroup[] = [];
    // No builder on this thread: the worker builds both members.
    for await (const g of new MemberThreads({ ...setup, bundleDir: worker }, 1).members(undefined, 1, 3)) fromWorker.push(g);
    for (const [dir, groups, plains] of [[here, [local], expected.slice(0, 1)], [worker, fromWorker, expected.slice(0, 2)]] as const) {
      expect(groups.length).toBe(plains.length);
      for (const [k, g] of groups.entries()) {
        const p = plains[k]!;
        expect(g.bundlesWritten).toBe(true);
        expect(g.bytes.byteLength).toBe(ndjsonBytes(p));
        for (const b of p.bundles) {
          expect(existsSync(join(dir, b.file)), b.file).toBe(true);
          expect(readFileSync(join(dir, b.file), 'utf8'), b.file).toBe(groupText(p, b));
        }
      }
    }
  }, 120_000);
});

describe('a bundle file a worker could not write', () => {
  it('should come across with its system error code, so that a full disk is the environment\'s mistake (exit 2), not a bug', () => {
    const full = Object.assign(new Error("ENOSPC: no space left on device, open '/out/bundles/member-000003.json'"), { code: 'ENOSPC' });
    const builder = { ...memberBuilder(setup, codeMaps), member: () => { throw full; } };
    const { answer } = answerMember(builder, 3);
    const error = answerError((structuredClone(answer) as { error: WorkerError }).error, 3);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const failure = writeFailure(error, '/out');
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).message).toBe('cannot write the output for /out: no space left on the device (ENOSPC); removed the partial output, /out is as it was');
    // Another error without a code stays a bug.
    expect(writeFailure(answerError({ message: 'x' }, 1), '/out')).not.toBeInstanceOf(UserError);
  });
});

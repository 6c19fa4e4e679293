// generate --jobs N sends the worker the code maps this thread loaded (a structured clone) instead of having it load
// and check code-maps/ again (issue 13: half a CPU-second and 250 ms of each worker's start-up). One worker thread
// started from the TypeScript sources (seconds on a busy machine), building every member itself.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CodeMaps } from '../../src/codemaps/types.js';
import { memberBuilder, type MemberSetup } from '../../src/output/member-builder.js';
import { MemberThreads } from '../../src/output/workers.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

const profile = { ...shippedProfile('default'), members: 4 };
const setup: MemberSetup = {
  profile, now: profile.period.end, runId: 'r', usCoreVersion: profile.usCore, igs: ['carin-bb', 'us-core'],
  render: { formats: new Set(['ndjson'] as const), maxBundleEntries: 500, pretty: false },
};
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MARK = ' [maps sent to the worker]';

/** The shipped code maps with every condition's ICD-10-CM displays marked: what no worker could read from code-maps/. */
function markedCodeMaps(): CodeMaps {
  const changed = structuredClone(codeMaps);
  for (const row of changed.conditions.values()) row.icd10cm = row.icd10cm.map((c) => ({ ...c, display: `${c.display}${MARK}` }));
  return changed;
}

describe('MemberThreads with code maps loaded on this thread', () => {
  it("should build the worker's members from the code maps it was given, the same bytes as this thread builds from them", async () => {
    const changed = markedCodeMaps();
    const here = memberBuilder(setup, changed);
    const expected = Array.from({ length: 4 }, (_, i) => here.member(i));
    // The change shows in the members, so that bytes built from code-maps/ could not match.
    expect(expected.some((g) => Buffer.from(g.bytes).includes(MARK))).toBe(true);
    const got: string[] = [];
    for await (const g of new MemberThreads(setup, 1, changed).members(undefined, 0, 4)) got.push(digest(g.bytes));
    expect(got).toEqual(expected.map((g) => digest(g.bytes)));
  }, 180_000);
});

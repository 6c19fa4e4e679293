// src/output/member-answer.ts and workers.ts (issue 19): what a worker answers for a member, read back on the main
// thread (a UserError stays one, with its exit code; a bug names the member and keeps the worker's stack), a member
// whose build throws a UserError inside a worker (an edited code-maps/tables.json that lacks a code a claim needs,
// found only when a member needs it), the worker threads terminated when a run is broken out of or fails, and a run
// whose worker stops before its end.
// The worker cases start worker threads from the TypeScript sources: seconds on an idle machine, 40 s at load
// average 22 under nice 19 (the first one, whose worker reads a fresh copy of the code maps), hence their timeouts.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { answerError, answerMember } from '../../src/output/member-answer.js';
import { memberBuilder, type MemberBuilder, type MemberSetup } from '../../src/output/member-builder.js';
import { MemberThreads } from '../../src/output/workers.js';
import { ProfileError, UserError } from '../../src/util/errors.js';
import { packageRoot } from '../../src/util/paths.js';
import { codeMaps, shippedProfile, tempDir } from '../helpers/output.js';
import { rejected } from '../helpers/thrown.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

const profile = { ...shippedProfile('default'), members: 6 };
const setup: MemberSetup = {
  profile, now: profile.period.end, runId: 'r', usCoreVersion: profile.usCore, igs: ['pdex'],
  render: { formats: new Set(['ndjson'] as const), maxBundleEntries: 500, pretty: false },
};
const builder = memberBuilder(setup, codeMaps);
const failing = (thrown: unknown): MemberBuilder => ({ ...builder, member: () => { throw thrown; } });
/** The worker threads a MemberThreads started (a private field: TypeScript lets a test read it by name). */
const workersOf = (threads: MemberThreads) => threads['workers'] as Worker[];

/** A copy of the shipped code maps whose tables.json lacks prescription origin '3' (electronic), which most fills carry. */
function codeMapsWithoutElectronicOrigin(): string {
  const t = tempDir('fhirseed-w-codemaps-');
  temps.push(t.cleanup);
  cpSync(join(packageRoot(), 'code-maps'), t.dir, { recursive: true });
  const file = join(t.dir, 'tables.json');
  const tables = JSON.parse(readFileSync(file, 'utf8')) as { tables: Record<string, { codes: { code: string }[] }> };
  tables.tables['rx-origin']!.codes = tables.tables['rx-origin']!.codes.filter((c) => c.code !== '3');
  writeFileSync(file, JSON.stringify(tables));
  return t.dir;
}

describe("a worker's answer, read on the main thread", () => {
  it("should answer a member with its group and its bytes' buffer to move", () => {
    const { answer, transfer } = answerMember(builder, 2);
    expect(answer.index).toBe(2);
    if (!('group' in answer)) throw new Error('expected a group');
    expect(answer.group.bytes).toEqual(builder.member(2).bytes);
    expect(transfer).toEqual([answer.group.bytes.buffer]);
  });

  it('should carry a UserError across as a UserError: its one line and its exit code', () => {
    const profileError = new ProfileError('profiles/x.yaml', 3, 5, 'members', 'must be a whole number');
    for (const [thrown, code] of [[profileError, 2], [new UserError('code-maps/tables.json: gone'), 2], [new UserError('findings', 1), 1]] as const) {
      const { answer, transfer } = answerMember(failing(thrown), 4);
      expect(transfer).toEqual([]);
      // Plain data, as postMessage clones it.
      const error = answerError((structuredClone(answer) as { error: Parameters<typeof answerError>[0] }).error, 4);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toBe(thrown.message);
      expect((error as UserError).exitCode).toBe(code);
    }
  });

  it('should carry any other failure across as a bug naming the member, with the stack of the worker after its own', () => {
    const { answer } = answerMember(failing(new TypeError('x.has is not a function')), 7);
    if (!('error' in answer)) throw new Error('expected an error');
    expect(answer.error.exitCode).toBeUndefined();
    const error = answerError(answer.error, 7);
    expect(error).not.toBeInstanceOf(UserError);
    expect(error.message).toBe('member 7: x.has is not a function');
    expect(error.stack).toMatch(/^member 7: x\.has is not a function\n\(in the worker\) TypeError: x\.has is not a function\n\s+at /);
    // Something thrown that is no Error: its text.
    const odd = answerMember(failing('out of tape'), 1).answer;
    expect(answerError((odd as { error: Parameters<typeof answerError>[0] }).error, 1).message).toBe('member 1: out of tape');
    // No stack from the worker: the main thread's own is kept.
    expect(answerError({ message: 'lost' }, 5).stack).toMatch(/^Error: member 5: lost\n\s+at /);
  });
});

describe('MemberThreads: failures and closing', () => {
  it('should rethrow a UserError thrown building a member in a worker as that one line, and terminate the worker', async () => {
    const dir = codeMapsWithoutElectronicOrigin();
    const threads = new MemberThreads(setup, 1, dir);
    const got: number[] = [];
    const error = await rejected((async () => {
      for await (const g of threads.members(undefined, 0, 6)) got.push(g.bytes.length);
    })());
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe("code-maps/tables.json: table 'rx-origin' has no code '3'");
    expect((error as UserError).exitCode).toBe(2);
    expect(workersOf(threads).map((w) => w.threadId)).toEqual([-1]);
  }, 180_000);

  it('should terminate the workers when the caller breaks out of a run', async () => {
    const broken = new MemberThreads(setup, 1);
    for await (const _ of broken.members(builder, 0, 6)) break;
    expect(workersOf(broken).map((w) => w.threadId)).toEqual([-1]);
  }, 180_000);

  it('should stop with the reason, not wait, when a worker stops before the run ends', async () => {
    // One worker takes members two at a time, at most four ahead of the one yielded: member 5 is not sent yet when
    // the worker is stopped after member 0 (as the system would stop it).
    const threads = new MemberThreads(setup, 1);
    const error = await rejected((async () => {
      for await (const _ of threads.members(undefined, 0, 6)) await workersOf(threads)[0]!.terminate();
    })());
    expect(error.message).toMatch(/^a generate worker stopped \(exit code 1\) before member [1-5] was built$/);
  }, 180_000);
});

import { UserError } from '../util/errors.js';
import type { MemberBuilder } from './member-builder.js';
import type { RenderedGroup } from './render.js';

/** A member's failure as it crosses from a worker thread: `exitCode` is set when it was a UserError (a ProfileError too). */
export interface WorkerError {
  message: string;
  stack?: string;
  exitCode?: number;
  /** A system error's code (ENOSPC, EACCES…: a bundle file the worker could not write), for write-failure.ts. */
  code?: string;
}

/** A worker's answer for member `index`: its bytes, or what building it threw. */
export type Answer = { index: number; group: RenderedGroup } | { index: number; error: WorkerError };

/** What a worker posts: `{ ready: true }` once, when it has loaded and can take members, then an Answer per member sent. */
export type WorkerMessage = Answer | { ready: true };

/**
 * Builds member `index` for the worker's answer (src/output/member-worker.ts posts it): the group with its bytes'
 * buffer to transfer (moved to the writer's thread, not copied), or the error building it threw, as plain data.
 * Never throws. Kept apart from the worker entry so that it also runs, and is tested, on the main thread.
 */
export function answerMember(builder: MemberBuilder, index: number): { answer: Answer; transfer: ArrayBuffer[] } {
  try {
    const group = builder.member(index);
    return { answer: { index, group }, transfer: [group.bytes.buffer as ArrayBuffer] };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const exitCode = e instanceof UserError ? e.exitCode : undefined;
    const code = (e as NodeJS.ErrnoException).code;
    return { answer: { index, error: { message: e.message, stack: e.stack, exitCode, ...(typeof code === 'string' ? { code } : {}) } }, transfer: [] };
  }
}

/**
 * The Error the main thread throws for a worker's failure on member `index`: a UserError (its one line, its exit
 * code) as a UserError; anything else as an Error naming the member, with the worker's stack after its own and its
 * system error code, if any (a full disk is the environment's: write-failure.ts; other errors are bugs).
 */
export function answerError(e: WorkerError, index: number): Error {
  if (e.exitCode !== undefined) return new UserError(e.message, e.exitCode);
  const error: NodeJS.ErrnoException = new Error(`member ${index}: ${e.message}`);
  if (e.stack) error.stack = `${error.message}\n(in the worker) ${e.stack}`;
  if (e.code !== undefined) error.code = e.code;
  return error;
}

import { Interrupted, UserError } from '../util/errors.js';
import { AuthRefused, NetworkFailure } from './http.js';

/** Where a seed stood when it had to stop. */
export interface StopState {
  server: string;
  /** The checkpoint file; undefined for --retry-dead-letter (no checkpoint). */
  checkpointFile?: string;
  membersDone: number;
  membersTotal: number;
  /** Whether the directory bundle was acknowledged (with membersDone 0 and false: nothing was). */
  directoryDone?: boolean;
  /** An earlier unfinished checkpoint kept in checkpointFile because this run acknowledged nothing (Checkpoint.earlier). */
  earlier?: { membersDone: number };
  /** Whether every bundle was acknowledged and only the verify was left. */
  sendingDone: boolean;
  /** Entries this run wrote to the dead-letter file (answers the server gave: 4xx/5xx after retries). */
  deadLettered: number;
  deadLetterFile: string;
}

/**
 * The one line (exit 2) for a seed that stopped part-way because the server went away (a NetworkFailure: refused,
 * reset, DNS, TLS or timeout outlasting --max-retries) or refused the credentials (AuthRefused, HTTP 401/403): what
 * was loaded, where the checkpoint is, what was dead-lettered before, and what to run next. Other errors come back
 * unchanged. README *First contact*: "one that outlasts --max-retries is also exit 2".
 */
export function stoppedMidRun(error: unknown, state: StopState): unknown {
  if (!(error instanceof NetworkFailure) && !(error instanceof AuthRefused)) return error;
  const cause = error instanceof NetworkFailure ? `${state.server} stopped answering (${error.message})` : error.message;
  const parts = [cause];
  if (state.sendingDone) {
    parts.push(`everything was sent and acknowledged before${error instanceof NetworkFailure ? ' it stopped' : ''}, but not verified; run again with --resume to verify (it sends nothing)`);
  } else if (state.checkpointFile === undefined) {
    parts.push(`sending stopped; the dead letters not yet replayed are still in ${state.deadLetterFile}: run --retry-dead-letter again${error instanceof NetworkFailure ? ' when it is back' : ''}`);
  } else if (state.earlier) {
    parts.push(`sending stopped before anything was acknowledged; the earlier unfinished seed in ${state.checkpointFile} is kept (${state.earlier.membersDone} of ${state.membersTotal} members acknowledged): run again with --resume to continue it`);
  } else if (!state.membersDone && !state.directoryDone) {
    // Nothing to skip: --resume is beside the point (V #13).
    parts.push(`sending stopped before anything was acknowledged (0 of ${state.membersTotal} members); run again${error instanceof NetworkFailure ? ' when it is back' : ''}`);
  } else {
    parts.push(
      `sending stopped: ${state.membersDone} of ${state.membersTotal} members acknowledged, in ${state.checkpointFile}; ` +
        `run again with --resume${error instanceof NetworkFailure ? ' when it is back' : ''} to send the rest`,
    );
  }
  if (state.deadLettered && state.checkpointFile !== undefined) {
    parts.push(`${state.deadLettered} entries the server refused before are in ${state.deadLetterFile} (then --retry-dead-letter)`);
  }
  return new UserError(parts.join('; '), 2);
}

/**
 * The one line (exit 130) for a seed stopped by its AbortSignal (Ctrl-C, SIGTERM) once the requests in flight settled:
 * where the checkpoint is and to run again with --resume when the server acknowledged something (README, Exit codes);
 * when it acknowledged nothing, that it did not and to run the same command again — or, when an earlier unfinished
 * checkpoint was kept (Checkpoint.earlier), that one, as stoppedMidRun says; for --retry-dead-letter (no checkpoint),
 * that the dead-letter file is as it was (it is replaced only once every record is loaded or refused again).
 */
export function interruptedMidRun(state: StopState): Interrupted {
  if (state.checkpointFile === undefined) {
    return new Interrupted(
      state.sendingDone
        ? `interrupted while verifying; the dead letters were replayed${state.deadLettered ? ` (${state.deadLettered} refused again, in ${state.deadLetterFile})` : ''}`
        : `interrupted: the dead letters are still in ${state.deadLetterFile}; run --retry-dead-letter again`,
    );
  }
  if (!state.sendingDone && state.earlier) {
    return new Interrupted(
      `interrupted before anything was acknowledged; the earlier unfinished seed in ${state.checkpointFile} is kept (${state.earlier.membersDone} of ${state.membersTotal} members acknowledged): run again with --resume to continue it`,
    );
  }
  if (!state.sendingDone && !state.membersDone && !state.directoryDone) {
    return new Interrupted(`interrupted before anything was acknowledged (0 of ${state.membersTotal} members); run the same command again to start over`);
  }
  return new Interrupted(`interrupted: what the server acknowledged is in ${state.checkpointFile}; run again with --resume`);
}

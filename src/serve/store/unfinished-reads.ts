/**
 * The reads an iteration left before its last row. libsql's row iterators have no return(): a statement left that way
 * keeps its read transaction open until its rows are garbage, and while one is open on the connection SQLite's
 * checkpoint cannot empty the write-ahead log (SQLITE_LOCKED), so a served store's close left its `-wal` and `-shm`
 * beside it (open.ts closeCleanly; s15 trial A2: `/metadata` stops reading ExplanationOfBenefit at the first prior
 * authorization). Such a statement is reset by libsql's `get`, which takes one more row of a statement under way (one
 * step: the sort an ORDER BY needed is done) and then resets it; given every argument NULL (as an array: libsql reads
 * a lone `null` as named parameters and fails), a statement already reset meanwhile looks up nothing.
 */

/** Per connection, its statements with an iteration under way, each with what resets it. */
const iterating = new WeakMap<object, Map<object, () => void>>();

/**
 * Records that `statement` of `db` is being iterated with `args`; returns what to call once the iteration is over:
 * `finished` false (a `break`, an error) resets the statement at once. `get` is the statement's own get.
 */
export function startRead(db: object, statement: object, get: (...args: unknown[]) => unknown, args: unknown[]): (finished: boolean) => void {
  let open = iterating.get(db);
  if (!open) iterating.set(db, (open = new Map()));
  const reset = () => {
    try {
      get(args.map(() => null));
    } catch {
      // the connection is closed or failing: no read to end
    }
  };
  open.set(statement, reset);
  return (finished) => {
    if (!finished) reset();
    if (open.get(statement) === reset) open.delete(statement);
  };
}

/**
 * Ends every read of `db` still under way (an iterator dropped without return(), or paused, as an export between
 * files): for a connection about to close (an iteration resumed afterwards reads from a reset statement).
 */
export function endReads(db: object): void {
  const open = iterating.get(db);
  for (const reset of open?.values() ?? []) reset();
  open?.clear();
}

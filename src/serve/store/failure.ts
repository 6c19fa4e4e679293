import { OperationOutcomeError } from '@medplum/core';
import { startRead } from './unfinished-reads.js';

/**
 * A write SQLite refused (SQLITE_FULL on a full disk or past `max_page_count`, SQLITE_IOERR, …) as the request's
 * answer: HTTP 500 with an OperationOutcome of issue.code `exception` (the server's trouble, not the client's;
 * medplum would answer a bare Error as a 400). Anything that is not an SQLite error is returned as it is.
 */
export function storeFailure(error: unknown): unknown {
  if (error instanceof OperationOutcomeError || !isSqliteError(error)) return error;
  const what = error.code === 'SQLITE_FULL' ? 'is full' : 'failed';
  const text = `the sandbox store ${what} (${error.code}: ${error.message}); nothing of this write was stored`;
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text } }] }, error);
}

function isSqliteError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** Where the first read failure of each store file is said (serve's stderr; set by the CLI). */
let reportFault: ((line: string) => void) | undefined;
const reported = new Set<string>();

/**
 * Sets where the first failed read of each store file is said, in one line naming the file and what to do (`serve`
 * sets serve's stderr); undefined stops saying it. Read workers have none: a read they fail is answered here again.
 */
export function onStoreFault(report: ((line: string) => void) | undefined): void {
  reportFault = report;
}

/**
 * An SQLite error raised by a read of store `file` (SQLITE_CORRUPT for a damaged page, SQLITE_IOERR, …) as the
 * request's answer: HTTP 500 `exception` (the server's fault: medplum would answer the bare error as 400 `invalid`),
 * and, the first time for the file, one line to onStoreFault's sink. Anything that is not an SQLite error is returned
 * as it is.
 */
export function readFailure(error: unknown, file: string): unknown {
  if (error instanceof OperationOutcomeError || !isSqliteError(error)) return error;
  const damaged = error.code.startsWith('SQLITE_CORRUPT') || error.code === 'SQLITE_NOTADB';
  if (reportFault && !reported.has(file)) {
    reported.add(file);
    reportFault(
      damaged
        ? `store ${file}: damaged (${error.code}: ${error.message}); requests that read the damaged pages answer 500: stop the server and serve again with --rebuild-store (what apps wrote to it is lost)`
        : `store ${file}: a read failed (${error.code}: ${error.message}); requests answer 500 while it lasts: check the disk the store is on`,
    );
  }
  const text = `the sandbox store ${damaged ? 'is damaged' : error.code === 'SQLITE_FULL' ? 'is full' : 'failed'} (${error.code}: ${error.message}); the server's fault, not the request's`;
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text } }] }, error);
}

/** The reading methods of an SQLite statement (libsql's Statement). */
interface ReadStatement {
  get(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown;
  iterate(...args: unknown[]): Iterator<unknown>;
}

/** Spare statements of one SQL kept for reads that overlap an iteration (more are prepared as needed, then dropped). */
const SPARES = 4;

/**
 * The statement `prepare` makes (of the store `db`, one SQL) with its reads (`get`, `all`, `iterate`) throwing
 * readFailure's 500 for an SQLite error; the same statement, its methods replaced on it. A read made while an
 * iteration of it is under way (an export's all(), paused between writes, and a search's meanwhile) runs on a
 * statement of its own from `prepare`: libsql's rows step the one statement they came from, and a second read of it
 * restarted or reset the first's (two iterations at once gave one type's rows twice).
 */
export function guardReads<S extends ReadStatement>(prepare: () => S, db: { prepare(sql: string): { all(): unknown } }): S {
  // The file is looked up only on a failure (libsql's Database has no file name on it).
  const file = () => {
    try {
      return (db.prepare('PRAGMA database_list').all() as { name: string; file: string }[]).find((row) => row.name === 'main')?.file || 'in memory';
    } catch {
      return 'in memory';
    }
  };
  const guarded = <T>(read: () => T): T => {
    try {
      return read();
    } catch (error) {
      throw readFailure(error, file());
    }
  };
  type Reads = { statement: object } & ReadStatement;
  const readsOf = (statement: ReadStatement): Reads => ({
    statement,
    get: statement.get.bind(statement),
    all: statement.all.bind(statement),
    iterate: statement.iterate.bind(statement),
  });
  const statement = prepare();
  // The statements of this SQL with no read under way: each read takes one (a new one when none is idle).
  const idle = [readsOf(statement)];
  const take = () => idle.pop() ?? readsOf(guarded(prepare));
  const give = (reads: Reads) => {
    if (idle.length < SPARES) idle.push(reads);
  };
  const once = <T>(read: (reads: Reads) => T): T => {
    const reads = take();
    try {
      return guarded(() => read(reads));
    } finally {
      give(reads);
    }
  };
  Object.assign(statement, {
    get: (...args: unknown[]) => once((reads) => reads.get(...args)),
    all: (...args: unknown[]) => once((reads) => reads.all(...args)),
    iterate: function* (...args: unknown[]) {
      const reads = take();
      let finished = false;
      // Given back at the end only: an iterator dropped without return() keeps its statement (endReads ends its read).
      let end: ((finished: boolean) => void) | undefined;
      try {
        const rows = guarded(() => reads.iterate(...args));
        // A `break` resets the statement at once: it would hold its read open (unfinished-reads.ts).
        end = startRead(db, reads.statement, reads.get, args);
        while (true) {
          const next = guarded(() => rows.next());
          if (next.done) return void (finished = true);
          yield next.value;
        }
      } finally {
        end?.(finished);
        give(reads);
      }
    },
  });
  return statement;
}

import { OperationOutcomeError } from '@medplum/core';

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

import type { OperationOutcome } from '@medplum/fhirtypes';

/** `"201 Created"` → 201; undefined when there is no leading status code. */
export function entryStatusCode(status: string | undefined): number | undefined {
  const m = /^\s*(\d{3})\b/.exec(status ?? '');
  return m ? Number(m[1]) : undefined;
}

export function isOperationOutcome(value: unknown): value is OperationOutcome {
  return Boolean(value && typeof value === 'object' && (value as { resourceType?: unknown }).resourceType === 'OperationOutcome');
}

/** An OperationOutcome for a failure the server did not describe (timeouts, resets, odd answers). */
export function syntheticOutcome(diagnostics: string, code: 'transient' | 'exception' | 'processing' = 'exception'): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}

/** One line about what went wrong: the status and the first error issue's text. */
export function describeFailure(status: number | undefined, outcome: unknown, fallback = ''): string {
  const issue = isOperationOutcome(outcome) ? (outcome.issue?.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? outcome.issue?.[0]) : undefined;
  const text = issue?.diagnostics ?? issue?.details?.text ?? (typeof outcome === 'string' ? outcome : fallback);
  const detail = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  return `${status === undefined ? 'no answer' : `HTTP ${status}`}${detail ? `: ${detail}` : ''}`;
}

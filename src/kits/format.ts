import type { KitReport } from './run.js';
import type { Outcome, TestResult } from './state.js';

const ORDER: Outcome[] = ['fail', 'skip', 'not run'];

/** Counts per outcome, e.g. `40 pass, 3 fail, 7 skip, 22 not run`. */
export function counts(results: TestResult[]): Record<Outcome, number> {
  const c: Record<Outcome, number> = { pass: 0, fail: 0, skip: 0, 'not run': 0 };
  for (const r of results) c[r.outcome]++;
  return c;
}

/**
 * The kits' results as text: per kit a summary line (all tests, and the required ones), then every
 * test that did not pass with its reason and cause; `not run` tests grouped by reason. `all` lists passes too.
 */
export function formatKitReports(reports: KitReport[], all = false): string {
  const lines: string[] = [];
  for (const report of reports) {
    const c = counts(report.results);
    const required = counts(report.results.filter((r) => !r.optional));
    lines.push(`${report.title}`);
    lines.push(`  ${c.pass} pass, ${c.fail} fail, ${c.skip} skip, ${c['not run']} not run (required tests: ${required.pass} pass, ${required.fail} fail, ${required.skip} skip; ${report.requests} requests)`);
    if (all) for (const r of report.results.filter((x) => x.outcome === 'pass')) lines.push(`  pass     ${r.test}${r.reason ? `: ${r.reason}` : ''}`);
    for (const outcome of ORDER.slice(0, 2)) {
      for (const r of report.results.filter((x) => x.outcome === outcome)) {
        lines.push(`  ${outcome.padEnd(8)} ${r.test}${r.optional ? ' (optional)' : ''} [${r.cause ?? '?'}]: ${r.reason ?? ''}`);
      }
    }
    const notRun = new Map<string, string[]>();
    for (const r of report.results.filter((x) => x.outcome === 'not run')) notRun.set(r.reason ?? '', [...(notRun.get(r.reason ?? '') ?? []), r.test]);
    for (const [reason, tests] of notRun) lines.push(`  not run  ${tests.length} test${tests.length > 1 ? 's' : ''}: ${reason}${all ? ` (${tests.join(', ')})` : ''}`);
  }
  return lines.join('\n') + '\n';
}

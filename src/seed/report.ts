import { pingResult, type PingCheck } from './ping.js';
import type { PurgeReport, PurgeRow } from './purge.js';
import type { SeedSummary } from './seed.js';
import { plural } from '../util/plural.js';

/** A plain text table: header, rule, rows; columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

export function formatSeedSummary(s: SeedSummary): string {
  if (s.dryRun && s.plan) {
    const rows = Object.entries(s.plan.byType).map(([type, n]) => [type, String(n)]);
    return (
      `dry run: would send ${s.plan.entries} resources in ${s.plan.requests} requests (${s.mode}, bundle size ${s.bundleSize}) to ${s.server}, run ${s.runId}\n` +
      table(['type', 'resources'], rows)
    );
  }
  const seconds = s.elapsedMs / 1000;
  let text =
    `seeded ${s.server} (run ${s.runId}, ${s.mode}, bundle size ${s.bundleSize})\n` +
    `  sent ${s.sent}, created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, failed ${s.failed}, retried ${s.retried}${retryCauses(s.retryCauses)}, dead-lettered ${s.deadLettered}\n` +
    `  elapsed ${seconds.toFixed(1)} s, ${s.rate.toFixed(0)} resources/s` +
    (s.skippedMembers ? `, ${s.skippedMembers} ${plural(s.skippedMembers, 'member')} already loaded (resumed)` : '') +
    (s.tokensIssued ? `, ${s.tokensIssued} access ${plural(s.tokensIssued, 'token')}` : '') +
    '\n';
  if (s.replayed) {
    const { fromOutput, asStored } = s.replayed;
    text += `  replayed ${fromOutput + asStored} dead ${plural(fromOutput + asStored, 'letter')}: ${fromOutput} as the data files hold ${fromOutput === 1 ? 'it' : 'them'} now` +
      (asStored ? `, ${asStored} as the dead-letter file stored ${asStored === 1 ? 'it' : 'them'} (no longer in the data files)` : '') + '\n';
  }
  if (s.deadLettered) text += `  dead letters: ${s.deadLetterFile} (correct the data files or the server, then --retry-dead-letter sends them again as the data files hold them)\n`;
  if (s.verify) text += formatVerify(s.verify, s.runId);
  return text;
}

/** ` (5× timeout, 3× HTTP 503)`: the causes, most frequent first; nothing when there were none. */
export function retryCauses(causes: Readonly<Record<string, number>> | undefined): string {
  const rows = Object.entries(causes ?? {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return rows.length ? ` (${rows.map(([cause, n]) => `${n}× ${cause}`).join(', ')})` : '';
}

/**
 * The verify lines after a seed or an import: the types whose count under the run tag differs from the manifest. When
 * the server holds more of every differing type than the manifest says, one more line says the likely why: another
 * output with the same run id (same profile and seed, more members) was loaded before, and how to start clean.
 */
export function formatVerify(verify: NonNullable<SeedSummary['verify']>, runId: string): string {
  const bad = verify.filter((r) => !r.ok);
  if (!bad.length) return `verify: counts under the run tag match the manifest for all ${verify.length} types\n`;
  const more = bad.every((r) => r.actual !== undefined && r.actual > r.expected);
  return (
    `verify: ${bad.length} of ${verify.length} types differ from the manifest\n` +
    table(['type', 'manifest', 'server', 'problem'], bad.map((r) => [r.type, String(r.expected), r.actual === undefined ? '?' : String(r.actual), r.problem ?? ''])) +
    (more
      ? `verify: the server holds more under run ${runId} than this output: an output with the same run id (same profile and seed, more members) was loaded before; remove it with fhirseed purge --run ${runId}, or generate with another --run-id\n`
      : '')
  );
}

/**
 * ping's table (check, result, detail) and its last line: `all 7 checks passed (2 with a warning)`, or the failed count
 * of all and then, apart, the skipped (not run after a failure), passed and passed-with-a-warning ones:
 * `1 of 7 checks failed; 5 skipped, 1 passed with a warning`.
 */
export function formatPingTable(checks: readonly PingCheck[]): string {
  const count = (result: ReturnType<typeof pingResult>) => checks.filter((c) => pingResult(c) === result).length;
  const [failed, skipped, passed, warned] = [count('FAIL'), count('SKIP'), count('PASS'), count('WARN')];
  const rows = table(['check', 'result', 'detail'], checks.map((c) => [c.check, pingResult(c), c.detail]));
  if (!failed && !skipped) return `${rows}all ${checks.length} checks passed${warned ? ` (${warned} with a warning)` : ''}\n`;
  const others = [skipped && `${skipped} skipped`, passed && `${passed} passed`, warned && `${warned} passed with a warning`].filter(Boolean);
  return `${rows}${failed} of ${checks.length} checks failed${others.length ? `; ${others.join(', ')}` : ''}\n`;
}

/**
 * The purge plan's lines: the types and counts to delete, or, when there are none, why: with `runId` (purge --run)
 * no resource carries that run's tag (other runs' resources may be there: the line says how to list them).
 */
export function formatPurgePlan(plan: readonly PurgeRow[], dryRun: boolean, runId?: string): string {
  const total = plan.reduce((a, r) => a + r.count, 0);
  if (!total && runId !== undefined) {
    return `no resource carries the tag of run ${runId}: nothing to delete (purge --all-fhirseed --dry-run counts the resources of every fhirseed run on the server; a run's id is the runId in its output's manifest.json)\n`;
  }
  if (!total) return 'no resources with the fhirseed tag: nothing to delete\n';
  return `${dryRun ? 'would delete' : 'deleting'} ${total} tagged resources, in this order:\n` + table(['type', 'resources'], plan.map((r) => [r.type, String(r.count)]));
}

/**
 * The purge result's lines. The deleted figure is set against the plan's: more than it listed means resources of the
 * run appeared while purging (a seed running elsewhere); fewer, with none failed or left, that some were gone first.
 */
export function formatPurgeReport(r: PurgeReport, runId?: string): string {
  const listed = r.plan.reduce((a, row) => a + row.count, 0);
  const more = r.deleted + r.untagged + r.failed.length - listed;
  const against =
    more > 0
      ? ` (the ${listed} listed and ${more} more ${runId === undefined ? 'fhirseed resources' : `of run ${runId}`} that appeared while purging: a seed running?)`
      : more < 0 && !r.remaining.length
        ? ` of the ${listed} listed (${-more} were gone before purge reached them)`
        : '';
  let text = `deleted ${r.deleted}${against}` + (r.untagged ? `, left ${r.untagged} without the tag` : '') + (r.failed.length ? `, ${r.failed.length} failed` : '') + '\n';
  for (const f of r.failed.slice(0, 20)) text += `  ${f.type}/${f.id}: ${f.reason}\n`;
  if (r.remaining.length) text += `still tagged: ${r.remaining.map((x) => `${x.type} ${x.count < 0 ? '?' : x.count}`).join(', ')}\n`;
  return text;
}

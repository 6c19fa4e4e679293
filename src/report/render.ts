import type { BookSection, Report, ReportRow } from './build.js';
import { CLAIM_TYPES } from './claims.js';
import { CLAIM_LABELS, type Unit } from './statistics.js';
import type { Tolerance } from './targets.js';
import { plural } from '../util/plural.js';

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A value in its unit: shares as %, dollars with $, rates with 1–2 decimals. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'share':
      return `${fixed(value * 100, 1)}%`;
    case 'dollars':
      return `$${int.format(value)}`;
    case 'per-1000':
      return fixed(value, 1);
    default:
      return fixed(value, 2);
  }
}

/** A tolerance as printed: ±25%, ±1.0 pts, $1–$2. */
export function formatTolerance(t: Tolerance, unit: Unit): string {
  if ('relative' in t) return `±${fixed(t.relative * 100, 0)}%`;
  if ('absolute' in t) return unit === 'share' ? `±${fixed(t.absolute * 100, 1)} pts` : `±${formatValue(t.absolute, unit)}`;
  return `${formatValue(t.min, unit)}–${formatValue(t.max, unit)}`;
}

/** A standard error as printed, in the row's unit: shares in percentage points (±0.74 pts), else as the value. */
export function formatStandardError(se: number | null, unit: Unit): string {
  if (se === null) return '—';
  return unit === 'share' ? `${fixed(se * 100, 2)} pts` : formatValue(se, unit);
}

/** A row's result as printed: `n too small` says on how many members and what standard error. */
export function formatResult(r: ReportRow): string {
  if (r.result !== 'n too small') return r.result ?? '';
  return `n too small (n=${int.format(r.n)}, SE=${formatStandardError(r.standardError, r.unit)})`;
}

/**
 * Why rows read n.a. for want of data, in one line (undefined when the output holds every kind):
 * `n.a.: the output holds no claims (ExplanationOfBenefit); the statistics that count them are not measured`.
 */
export function formatAbsent(report: Report): string | undefined {
  const { claims, diagnoses } = report.absent;
  const parts: string[] = [];
  if (claims.length === CLAIM_TYPES.length) parts.push('no claims (ExplanationOfBenefit)');
  else if (claims.length) parts.push(`no ${listed(claims.map((t) => CLAIM_LABELS[t]))} claims`);
  if (diagnoses) parts.push('no diagnoses (no Condition, no ICD-10-CM on a claim)');
  return parts.length ? `n.a.: the output holds ${parts.join(' and ')}; the statistics that count them are not measured` : undefined;
}

/**
 * Who the medical statistics leave out, in one line (undefined without dental-only members): `12 dental-only members
 * (the dental book) are left out of the statistics that count medical or pharmacy claims or diagnoses; a dental
 * book has none of them` (statistics.ts isMedical).
 */
export function formatDentalApart(report: Report): string | undefined {
  const n = report.members.byBook.dental;
  if (!n) return undefined;
  return `${int.format(n)} dental-only ${plural(n, 'member')} (the dental book) ${n === 1 ? 'is' : 'are'} left out of the statistics that count medical or pharmacy claims or diagnoses; a dental book has none of them`;
}

/**
 * The books with no member with exposure, in one line (undefined when every book has some): `n.a.: the output has no
 * medicare or medicaid members in the window; their targets (3b, 3a, 4a; 4c) are not measured`. The HTML page lists these books'
 * targets in this line instead of one n.a. row each (the text report gives each such book one line already).
 */
export function formatEmptyBooks(report: Report): string | undefined {
  const empty = report.books.filter((b) => b.book !== 'all' && b.membersWithExposure === 0);
  const ids = empty.map((b) => b.rows.filter((r) => r.target).map((r) => r.target!.id)).filter((i) => i.length);
  if (!ids.length) return undefined;
  return `n.a.: the output has no ${listed(empty.map((b) => b.book))} members in the window; their targets (${ids.map((i) => i.join(', ')).join('; ')}) are not measured`;
}

function listed(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** A denominator as printed: 812.4 member-years, $1,234 allowed. */
export function formatDenominator(d: ReportRow['denominator']): string {
  if (d.unit === 'allowed dollars') return `$${int.format(d.value)} allowed`;
  if (d.unit === 'member-years') return `${fixed(d.value, 1)} member-years`;
  return `${int.format(d.value)} ${plural(d.value, d.unit.replace(/s$/, ''), d.unit)}`;
}

/** A row's age range as printed (empty for the whole book). */
export function population(r: ReportRow): string {
  const { minAge, maxAge } = r.population;
  if (minAge === undefined && maxAge === undefined) return '';
  if (maxAge === undefined) return `age ${minAge}+`;
  return `age ${minAge ?? 0}–${maxAge}`;
}

/** The report as text: a header, a table per book with members, the age/sex, state and plan mixes and distinct codes. */
export function formatReport(report: Report): string {
  const out: string[] = [];
  const w = report.window;
  out.push(`fhirseed report: ${report.source}`);
  out.push(`window ${w ? `${w.start} to ${w.end} (${w.months} ${plural(w.months, 'month')})` : 'none (no claims or coverage)'}; targets ${report.targetsFile}`);
  const books = Object.entries(report.members.byBook).filter(([, n]) => n > 0).map(([b, n]) => `${b} ${int.format(n)}`);
  out.push(`${int.format(report.members.total)} ${plural(report.members.total, 'member')}${books.length ? ` (${books.join(', ')})` : ''}`);
  const s = report.summary;
  out.push(`targets: ${s.pass} pass, ${s.fail} fail, ${s['n too small']} n too small, ${s['n.a.']} n.a.`);
  const absent = formatAbsent(report);
  if (absent) out.push(absent);
  const dental = formatDentalApart(report);
  if (dental) out.push(dental);
  for (const section of report.books) out.push('', ...formatSection(section));
  out.push('', 'age and sex (age at the window end)', table([['age', 'female', 'male', 'other', 'share'], ...ageRows(report)]));
  if (report.states.length) {
    const rows = report.states.map((r) => [r.state, int.format(r.members), formatValue(r.share, 'share')]);
    out.push('', 'state mix (Patient address; share of all members)', table([['state', 'members', 'share'], ...rows]));
  }
  if (report.plans.length) {
    const rows = report.plans.map((r) => [r.book, r.plan, int.format(r.coverages), formatValue(r.share, 'share')]);
    out.push('', 'plan mix (Coverage.class plan; share of the book’s Coverage resources)', table([['book', 'plan', 'coverages', 'share'], ...rows]));
  }
  out.push('', 'distinct codes per system', table([['system', 'codes'], ...report.codes.map((c) => [c.name, int.format(c.distinct)])]));
  return `${out.join('\n')}\n`;
}

function formatSection(s: BookSection): string[] {
  const head = `${s.book} — ${int.format(s.members)} ${plural(s.members, 'member')}, ${int.format(s.membersWithExposure)} with exposure, ${fixed(s.memberYears, 1)} member-years, ${int.format(s.deaths)} ${plural(s.deaths, 'death')}`;
  if (s.membersWithExposure === 0) {
    const ids = s.rows.filter((r) => r.target).map((r) => r.target!.id);
    return [`${head}${ids.length ? ` — targets ${ids.join(', ')} n.a.` : ''}`];
  }
  const rows = s.rows
    .filter((r) => r.target || r.measured !== null)
    .map((r) => [
      r.target?.id ?? '',
      r.label,
      population(r),
      r.measured === null ? '—' : formatValue(r.measured, r.unit),
      r.target ? formatValue(r.target.value, r.unit) : '',
      r.target ? formatTolerance(r.target.tolerance, r.unit) : '',
      formatResult(r),
      int.format(r.n),
      formatStandardError(r.standardError, r.unit),
      formatDenominator(r.denominator),
    ]);
  return [head, table([['#', 'statistic', 'population', 'measured', 'target', 'tolerance', 'result', 'n', 'SE', 'denominator'], ...rows])];
}

function ageRows(report: Report): string[][] {
  const total = report.ageSex.reduce((n, r) => n + r.female + r.male + r.other, 0);
  return report.ageSex.map((r) => {
    const n = r.female + r.male + r.other;
    return [r.band, int.format(r.female), int.format(r.male), int.format(r.other), total ? `${fixed((n / total) * 100, 1)}%` : '—'];
  });
}

/** Left-aligned text columns, two spaces apart, indented by two. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd()).join('\n');
}

import type { Report, ReportRow } from '../build.js';
import type { DetailedReport } from '../index.js';
import { formatAbsent, formatDentalApart, formatDenominator, formatEmptyBooks, formatTolerance, formatValue, population } from '../render.js';
import { issueResource, problemLines, type ValidationReport } from '../../validate/summary.js';
import { bars, histogram, pyramid, RESULT_COLORS, versusTargets, type Chart } from './charts.js';
import { STYLE } from './style.js';
import { plural } from '../../util/plural.js';

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Escapes text for HTML element content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function figure(c: Chart): string {
  const body = c.svg ? c.svg : `<p class="empty">Nothing to draw: no data for this chart.</p>`;
  return `<figure class="${c.svg ? 'chart' : 'chart-empty'}" data-chart="${esc(c.id)}"><figcaption><strong>${esc(c.title)}</strong><span>${esc(c.note)}</span></figcaption>${body}</figure>`;
}

function table(head: string[], rows: string[][], numeric: number[] = []): string {
  const cell = (tag: string, i: number, v: string) => `<${tag}${numeric.includes(i) ? ' class="num"' : ''}>${v}</${tag}>`;
  return `<div class="scroll"><table><thead><tr>${head.map((h, i) => cell('th', i, esc(h))).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v, i) => cell('td', i, v)).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

function resultBadge(result: ReportRow['result']): string {
  if (!result) return '';
  return `<span class="badge ${result === 'n.a.' ? 'na' : result === 'n too small' ? 'small' : result}">${esc(result)}</span>`;
}

/** The state and plan mixes as tables, counts and shares (what a profile's `demographics.states` and `plans[].share` ask). */
function mixTables(report: Report): string {
  const pct = (share: number) => formatValue(share, 'share');
  return `<div class="grid">${table(['state', 'members', 'share of members'], report.states.map((r) => [esc(r.state), int.format(r.members), pct(r.share)]), [1, 2])}${table(
    ['book', 'plan', 'Coverage resources', 'share of the book'],
    report.plans.map((r) => [esc(r.book), esc(r.plan), int.format(r.coverages), pct(r.share)]),
    [2, 3],
  )}</div>`;
}

/**
 * The rows of statistics starting with `prefix` to draw: every row with a target (any book or age
 * range), and the whole population's rows without one; each named by what it measures and on whom.
 */
function statRows(report: Report, prefix: string): (ReportRow & { name: string })[] {
  return report.books.flatMap((b) =>
    b.rows
      .filter((r) => r.statistic.startsWith(prefix) && (r.target || (b.book === 'all' && r.population.minAge === undefined && r.population.maxAge === undefined)))
      .map((r) => {
        const who = [b.book === 'all' ? '' : b.book, population(r)].filter(Boolean).join(', ');
        return { ...r, name: `${r.label.replace(/ (prevalence|claims per member-year)$/, '').replace(/^members with /, '')}${who ? ` (${who})` : ''}` };
      }),
  );
}

function realismTable(report: Report): string {
  // A book with no member to count (a commercial-only profile's medicare book) is one line below, not a row a target.
  const rows = report.books.flatMap((b) =>
    b.rows
      .filter((r) => r.target && (b.book === 'all' || b.membersWithExposure > 0))
      .map((r) => [
        esc(r.target!.id),
        esc(b.book),
        esc(population(r) || 'all ages'),
        esc(r.label),
        esc(`${formatValue(r.target!.value, r.unit)} (${formatTolerance(r.target!.tolerance, r.unit)})`),
        esc(r.measured === null ? '—' : formatValue(r.measured, r.unit)),
        resultBadge(r.result),
        esc(formatDenominator(r.denominator)),
        esc(r.target!.source),
      ]),
  );
  const s = report.summary;
  const absent = formatAbsent(report);
  const dental = formatDentalApart(report);
  const empty = formatEmptyBooks(report);
  return `<p>${s.pass} pass, ${s.fail} fail, ${s['n too small']} n too small (tolerance under 2 standard errors, or one member), ${s['n.a.']} n.a. (nothing to divide by) — targets from ${esc(report.targetsFile)}.</p>${absent ? `<p>${esc(absent)}</p>` : ''}${dental ? `<p>${esc(dental)}</p>` : ''}${empty ? `<p>${esc(empty)}</p>` : ''}${table(['#', 'book', 'population', 'statistic', 'target (tolerance)', 'measured', 'result', 'denominator', 'source'], rows, [5])}`;
}

function validationSections(v: ValidationReport | undefined): string {
  if (!v) {
    return section('validation', 'Must-support coverage and validation', '<p>No validation report: run with <code>--validate</code>, or pass <code>fhirseed validate --json</code> output with <code>--validation FILE</code>.</p>');
  }
  const charts = v.coverage.map((c) =>
    figure(
      bars(
        `coverage-${c.ig}`,
        `Must-support coverage, ${c.ig}`,
        'Must-support elements filled by at least one resource claiming the profile, % of those that apply (profiles with resources).',
        c.profiles
          .filter((p) => p.resources > 0)
          .map((p) => {
            const applicable = p.total - p.notApplicable.length;
            return { label: p.name, value: applicable ? Math.floor((100 * p.covered) / applicable) : 100 };
          }),
        'Must-support elements covered (%)',
      ),
    ),
  );
  const coverageRows = v.coverage.flatMap((c) =>
    c.profiles
      .filter((p) => p.resources > 0)
      .map((p) => [
        esc(c.ig),
        esc(p.name),
        int.format(p.resources),
        `${p.covered}/${p.total - p.notApplicable.length}`,
        esc(p.missing.slice(0, 5).join(', ') + (p.missing.length > 5 ? ` … and ${p.missing.length - 5} more` : '')),
        // Judged not applicable (src/validate/not-applicable.ts): left out of the denominator, shown with the reason.
        esc(p.notApplicable.filter((n) => n.source).map((n) => `n/a ${n.id} (${n.reason})`).join('; ')),
      ]),
  );
  const byProfile = Object.entries(v.errorsByProfile).sort((a, b) => b[1] - a[1]);
  const errors = byProfile.length ? table(['profile', 'errors'], byProfile.map(([p, n]) => [esc(p), int.format(n)]), [1]) : '<p class="ok">No errors.</p>';
  const issues = v.issues.length
    ? `<h3>First ${v.issues.length} ${plural(v.issues.length, 'issue')}</h3>${table(['severity', 'resource', 'path', 'message', 'profile'], v.issues.map((i) => [esc(i.severity), esc(issueResource(i)), esc(i.path), esc(i.message), esc(i.profile ?? '')]))}`
    : '';
  return (
    section('coverage', 'Must-support coverage per profile', `<div class="grid">${charts.join('')}</div>${table(['IG', 'profile', 'resources', 'covered', 'missing', 'not applicable'], coverageRows, [2, 3])}`) +
    section('validation', 'Validation', `<p>${int.format(v.resources)} ${plural(v.resources, 'resource')} validated: ${int.format(v.errors)} ${plural(v.errors, 'error')}, ${int.format(v.warnings)} ${plural(v.warnings, 'warning')}.</p>${errors}${issues}${problemLines(v).map(([label, p]) => `<p class="bad">${label}: ${esc(p)}</p>`).join('')}`)
  );
}

/**
 * The self-contained HTML page of `report --html`: charts as inline SVG (see charts.ts), tables, one
 * inline stylesheet, no script and no external reference (a Content-Security-Policy forbids any).
 * `validation` adds must-support coverage and validation errors.
 */
export function renderHtmlReport({ report, details }: Pick<DetailedReport, 'report' | 'details'>, validation?: ValidationReport): string {
  const w = report.window;
  const title = `fhirseed report: ${report.source}`;
  const books = Object.entries(report.members.byBook).filter(([, n]) => n > 0);
  const header = `<header><h1>${esc(title)}</h1><p>${int.format(report.members.total)} ${plural(report.members.total, 'member')}${books.length ? ` (${esc(books.map(([b, n]) => `${b} ${int.format(n)}`).join(', '))})` : ''} · window ${w ? `${esc(w.start)} to ${esc(w.end)} (${w.months} ${plural(w.months, 'month')})` : 'none'} · targets: ${report.summary.pass} pass, ${report.summary.fail} fail, ${report.summary['n too small']} n too small, ${report.summary['n.a.']} n.a.</p>
<nav>${[
    ['population', 'Population'],
    ['realism', 'Realism targets'],
    ['money', 'Money'],
    ['codes', 'Codes'],
    ['resources', 'Resources'],
    [validation ? 'coverage' : 'validation', 'Must-support & validation'],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('')}</nav></header>`;

  const population = section(
    'population',
    'Population',
    `<div class="grid">${figure(pyramid(report.ageSex))}${figure(
      bars('books', 'Book mix', 'Members per book (the medical Coverage overlapping the window most; dental only without one).', Object.entries(report.members.byBook).map(([b, n]) => ({ label: b, value: n })), 'Members'),
    )}${figure(
      bars('plans', 'Plan mix', 'Coverage resources per plan (Coverage.class plan name), coloured by book.', report.plans.slice(0, 20).map((p) => ({ label: p.plan, value: p.coverages, group: p.book })), 'Coverage resources'),
    )}${figure(
      bars('states', 'State mix', 'Members per state of residence (Patient address).', report.states.slice(0, 20).map((r) => ({ label: r.state, value: r.members })), 'Members'),
    )}</div>${table(['age band', 'female', 'male', 'other', 'total'], report.ageSex.map((r) => [esc(r.band), int.format(r.female), int.format(r.male), int.format(r.other), int.format(r.female + r.male + r.other)]), [1, 2, 3, 4])}${mixTables(report)}`,
  );

  const realism = section(
    'realism',
    'Realism targets',
    `<div class="grid">${figure(
      versusTargets('prevalence', 'Condition prevalence vs targets', 'Share of members with exposure who have the condition (%), all books unless named; grey band: passing range, black tick: target.', [...statRows(report, 'prevalence.'), ...statRows(report, 'chronic-2plus-share')], 'Members with the condition (%)', true),
    )}${figure(
      versusTargets('claims', 'Claims per member-year by type vs targets', 'Claims per member-year of exposure, all books unless named; grey band: passing range, black tick: target.', statRows(report, 'claims-per-member-year.'), 'Claims per member-year', false),
    )}</div>${legend()}${realismTable(report)}`,
  );

  const d = details.distributions;
  const money = section(
    'money',
    'Allowed, paid and member liability',
    `<div class="grid">${figure(histogram('allowed', 'Allowed amount per claim', 'Claims by allowed amount (eligible adjudication), USD, every claim type.', d.allowed, '#4269d0'))}${figure(
      histogram('paid', 'Paid amount per claim', 'Claims by plan payment (benefit adjudication), USD.', d.paid, '#1b7f3b'),
    )}${figure(histogram('liability', 'Member liability per claim', 'Claims by member liability (memberliability adjudication, else allowed − paid), USD.', d.memberLiability, '#c2649a'))}</div>`,
  );

  const codes = section(
    'codes',
    'Top codes per system',
    `<p>Distinct codes per system: ${esc(report.codes.filter((c) => c.distinct > 0).map((c) => `${c.name} ${int.format(c.distinct)}`).join(', ') || 'none')}.</p><div class="codes">${details.topCodes
      .map((s) => `<div><h3>${esc(s.name)} <small>${int.format(s.distinct)} distinct</small></h3>${table(['code', 'display', 'codings'], s.top.map((c) => [`<code>${esc(c.code)}</code>`, esc(c.display ?? ''), int.format(c.codings)]), [2])}</div>`)
      .join('')}</div>`,
  );

  const types = Object.entries(report.resources).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const resources = section(
    'resources',
    'Resources per type and profile',
    `<div class="grid">${figure(bars('resources', 'Resources per type', 'Resources read, per resource type (each id once).', types.map(([t, n]) => ({ label: t, value: n })), 'Resources'))}</div>${table(
      ['type', 'profile (meta.profile)', 'resources'],
      details.profiles.map((p) => [esc(p.type), p.profile ? `<code>${esc(p.profile)}</code>` : '<em>none</em>', int.format(p.resources)]),
      [2],
    )}`,
  );

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${header}
<main>
${population}
${realism}
${money}
${codes}
${resources}
${validationSections(validation)}
</main>
<footer>Made by fhirseed report from the FHIR data alone; charts drawn with Observable Plot at report time.</footer>
</body>
</html>
`;
}

function legend(): string {
  return `<p class="legend">${Object.entries(RESULT_COLORS)
    .map(([k, c]) => `<span><i style="background:${c}"></i>${esc(k)}</span>`)
    .join('')}<span><i class="band"></i>passing range</span></p>`;
}

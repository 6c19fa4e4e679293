import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { AgeSexRow, ReportRow } from '../build.js';
import type { DollarBin } from '../details.js';
import { plural } from '../../util/plural.js';

/**
 * Charts as static SVG: Observable Plot rendered at report time in Node against linkedom's DOM, so the
 * page carries finished SVG (no script, no network, a few KB per chart) whatever the population's size.
 */

const { document } = parseHTML('<!doctype html><html><body></body></html>');

/** Chart width in SVG user units; the page scales charts down to the column (max-width: 100%). */
const WIDTH = 560;
const STYLE = { fontSize: '12px', background: 'transparent', overflow: 'visible' };

/** Pass, fail and no-target colours (also used by the page's tables). */
export const RESULT_COLORS = { pass: '#1b7f3b', fail: '#c0392b', 'n too small': '#b8860b', 'no target': '#4269d0' } as const;

/** A chart: an id (the page's `data-chart`), a title, and Plot's SVG (or null when there is nothing to draw). */
export interface Chart {
  id: string;
  title: string;
  /** What the chart shows and its units, printed under the title. */
  note: string;
  svg: string | null;
}

function draw(options: Plot.PlotOptions): string {
  const plot = Plot.plot({ document, width: WIDTH, style: STYLE, ...options } as Plot.PlotOptions) as unknown as { outerHTML: string };
  return plot.outerHTML;
}

/** Population pyramid: members per age band (age at the window's end), male to the left, female to the right. */
export function pyramid(rows: readonly AgeSexRow[]): Chart {
  const data = rows.flatMap((r) => [
    { band: r.band, sex: 'female', members: r.female },
    { band: r.band, sex: 'male', members: -r.male },
  ]);
  const any = rows.some((r) => r.female + r.male > 0);
  return {
    id: 'pyramid',
    title: 'Population pyramid',
    note: 'Members by age band (age at the window’s end) and sex; members of other or unknown sex are in the table below.',
    svg: any
      ? draw({
          height: 260,
          marginLeft: 56,
          x: { label: '← male · members · female →', labelAnchor: 'center', tickFormat: (d: number) => String(Math.abs(d)), grid: true },
          y: { label: 'Age (years)', labelAnchor: 'top', domain: rows.map((r) => r.band).reverse() },
          color: { domain: ['female', 'male'], range: ['#c2649a', '#4269d0'], legend: true },
          marks: [Plot.barX(data, { x: 'members', y: 'band', fill: 'sex', title: (d: { sex: string; members: number; band: string }) => `${d.band}, ${d.sex}: ${Math.abs(d.members)}` }), Plot.ruleX([0])],
        })
      : null,
  };
}

/** Horizontal bars of labelled counts, most first (as given). */
export function bars(id: string, title: string, note: string, data: readonly { label: string; value: number; group?: string }[], xLabel: string): Chart {
  const shown = data.filter((d) => d.value > 0);
  const longest = Math.max(0, ...shown.map((d) => d.label.length));
  const grouped = shown.some((d) => d.group !== undefined);
  return {
    id,
    title,
    note,
    svg: shown.length
      ? draw({
          height: 50 + shown.length * 22 + (grouped ? 30 : 0),
          marginBottom: 44,
          marginLeft: Math.min(260, 12 + longest * 6.5),
          marginRight: 40,
          x: { label: xLabel, grid: true },
          y: { label: null, domain: shown.map((d) => d.label) },
          color: grouped ? { legend: true } : undefined,
          marks: [
            Plot.barX(shown, { x: 'value', y: 'label', fill: grouped ? 'group' : '#4269d0', title: (d: { label: string; value: number }) => `${d.label}: ${d.value}` }),
            Plot.text(shown, { x: 'value', y: 'label', text: (d: { value: number }) => d.value.toLocaleString('en-US'), textAnchor: 'start', dx: 4 }),
            Plot.ruleX([0]),
          ],
        })
      : null,
  };
}

/**
 * Measured values against their targets, one line per row: the grey band is the passing interval,
 * the black tick the target, the dot the measured value (green pass, red fail, amber n too small, blue when no target).
 * `percent` draws shares (fractions) as %.
 */
export function versusTargets(id: string, title: string, note: string, rows: readonly (ReportRow & { name: string })[], xLabel: string, percent: boolean): Chart {
  const data = rows
    .filter((r) => r.measured !== null || r.target)
    .map((r) => ({
      label: r.name,
      measured: r.measured,
      target: r.target?.value ?? null,
      low: r.target?.low ?? null,
      high: r.target?.high ?? null,
      result: r.result === 'pass' || r.result === 'fail' || r.result === 'n too small' ? r.result : 'no target',
    }));
  const targeted = data.filter((d) => d.target !== null);
  const measured = data.filter((d) => d.measured !== null);
  const longest = Math.max(0, ...data.map((d) => d.label.length));
  return {
    id,
    title,
    note,
    svg: data.length
      ? draw({
          height: 70 + data.length * 26,
          marginBottom: 44,
          marginLeft: Math.min(250, 16 + longest * 6.6),
          marginRight: 24,
          x: { label: xLabel, grid: true, percent, zero: true, nice: true },
          y: { label: null, domain: data.map((d) => d.label) },
          color: { domain: Object.keys(RESULT_COLORS), range: Object.values(RESULT_COLORS) },
          marks: [
            Plot.ruleY(targeted, { y: 'label', x1: 'low', x2: 'high', stroke: '#d5d9e0', strokeWidth: 12 }),
            Plot.tickX(targeted, { x: 'target', y: 'label', stroke: 'black', strokeWidth: 2 }),
            Plot.dot(measured, { x: 'measured', y: 'label', fill: 'result', r: 5, stroke: 'white', title: (d: { label: string; result: string }) => `${d.label}: ${d.result}` }),
          ],
        })
      : null,
  };
}

/** A histogram of per-claim dollar amounts over fixed bins (bars in bin order). */
export function histogram(id: string, title: string, note: string, bins: readonly DollarBin[], color: string): Chart {
  const total = bins.reduce((s, b) => s + b.claims, 0);
  return {
    id,
    title,
    note,
    svg: total
      ? draw({
          height: 260,
          marginBottom: 84,
          marginLeft: 56,
          x: { label: 'Per-claim amount (USD)', labelAnchor: 'center', labelArrow: 'none', domain: bins.map((b) => b.label), tickRotate: -40, labelOffset: 78 },
          y: { label: 'Claims', grid: true },
          marks: [Plot.barY(bins, { x: 'label', y: 'claims', fill: color, title: (b: DollarBin) => `${b.label}: ${b.claims} ${plural(b.claims, 'claim')}` }), Plot.ruleY([0])],
        })
      : null,
  };
}

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { runCli } from '../../src/cli/run.js';
import { buildReport } from '../../src/report/build.js';
import { renderHtmlReport } from '../../src/report/html/index.js';
import { MemberCollector } from '../../src/report/members.js';
import { loadTargets } from '../../src/report/targets.js';
import { coverage, eob, patient } from '../report/builders.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { chartsOf, launchChromium, type Browser } from './chromium.js';

/** Where the screenshots go (ignored by git); look at them after a change to the page. */
export const SCREENSHOTS = join('output', 'screenshots');

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

/** Every chart the page draws for fhirseed's default profile with a validation report. */
const CHARTS = [
  'pyramid', 'books', 'plans', 'states', 'prevalence', 'claims', 'allowed', 'paid', 'liability', 'resources',
  // One must-support coverage chart per IG the default profile emits (all five).
  'coverage-hl7.fhir.us.carin-bb#2.0.0', 'coverage-hl7.fhir.us.core#6.1.0', 'coverage-hl7.fhir.us.davinci-pdex-plan-net#1.1.0',
  'coverage-hl7.fhir.us.davinci-drug-formulary#2.0.1', 'coverage-hl7.fhir.us.davinci-pdex#2.0.0',
];

describe('report --html in headless Chromium', () => {
  const temp = tempDir('fhirseed-browser-');
  const out = join(temp.dir, 'out');
  const page25 = join(temp.dir, 'report-25.html');
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    expect((await cli(['generate', '--members', '25', '--out', out])).code).toBe(0);
    const validation = await cli(['validate', out, '--packages', SHARED_PACKAGES, '--json']);
    expect(validation.code).toBe(0);
    writeFileSync(join(temp.dir, 'validation.json'), validation.stdout);
    const r = await cli(['report', out, '--html', page25, '--validation', join(temp.dir, 'validation.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    temp.cleanup();
  });

  it('should draw every chart with marks, log no console error and ask nothing of the network (25 members)', async () => {
    const { page, log } = await browser.open(page25, { width: 1280, height: 900 });
    const charts = await chartsOf(page);
    expect(charts.map((c) => c.id).sort()).toEqual([...CHARTS].sort());
    for (const c of charts) {
      expect(c.width, c.id).toBeGreaterThan(100);
      expect(c.height, c.id).toBeGreaterThan(50);
      expect(c.marks, c.id).toBeGreaterThan(0);
    }
    expect(await page.locator('figure.chart-empty').count()).toBe(0);
    // The realism table has a row per target, each with a pass, fail or n-too-small badge (most rows at 25 members).
    expect(await page.locator('#realism tbody tr').count()).toBeGreaterThan(10);
    expect(await page.locator('#realism .badge.pass, #realism .badge.fail, #realism .badge.small').count()).toBeGreaterThan(10);
    expect(await page.locator('#codes table').count()).toBeGreaterThan(5);
    expect(log.consoleErrors).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.blocked).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-25.png'), fullPage: true });
    await page.close();
  });

  it('should fit a narrow window: no sideways scrolling, charts scaled into the column', async () => {
    const { page, log } = await browser.open(page25, { width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    for (const c of await chartsOf(page)) expect(c.width, c.id).toBeLessThanOrEqual(390);
    expect(log.consoleErrors).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-25-narrow.png'), fullPage: true });
    await page.close();
  });

  it('should be one self-contained file of a few hundred KB', () => {
    const html = readFileSync(page25, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(statSync(page25).size).toBeLessThan(500_000);
  });

  it('should catch a page that reaches for the network (the guard the tests above rely on)', async () => {
    const file = join(temp.dir, 'leaky.html');
    writeFileSync(file, '<!doctype html><title>x</title><img src="http://example.invalid/pixel.png"><link rel="stylesheet" href="https://example.invalid/a.css">');
    const { page, log } = await browser.open(file, { width: 400, height: 300 });
    expect(log.blocked.sort()).toEqual(['http://example.invalid/pixel.png', 'https://example.invalid/a.css']);
    await page.close();
  });
});

/**
 * 100,000 members (a Patient, a Coverage of one of 40 plans and two claims each, diagnoses from 3,000
 * ICD-10-CM codes) folded in memory, as `report` folds what it reads: the page must stay small because
 * it draws aggregates, never members.
 */
function bigPage(): string {
  const collector = new MemberCollector(new Map());
  const add = (r: Resource) => collector.add(r);
  for (let i = 0; i < 100_000; i++) {
    const id = `m${i}`;
    add(patient(id, `${1935 + (i % 85)}-0${1 + (i % 9)}-15`, i % 2 ? 'female' : 'male'));
    const c = coverage(`c${i}`, id, ['HIP', 'MCPOL', 'PUBLICPOL'][i % 3]!, '2025-01-01', '2025-12-31', ['Employer Group', 'Medicare Advantage', 'Medicaid'][i % 3]);
    c.class!.push({ type: { coding: [{ code: 'plan' }] }, value: `P${i % 40}`, name: `Plan ${i % 40}` });
    add(c);
    const dx = [`E${10 + (i % 90)}.${i % 10}`, `I${10 + ((i * 7) % 90)}.${(i * 3) % 10}`];
    add(eob(`e${i}a`, id, 'professional', { start: `2025-0${1 + (i % 9)}-10`, lines: [{ allowed: (i * 37) % 900, paid: (i * 29) % 700 }], dx }));
    add(eob(`e${i}b`, id, 'pharmacy', { start: `2025-0${1 + ((i + 4) % 9)}-02`, lines: [{ allowed: (i * 13) % 4000, paid: (i * 11) % 3000 }], daysSupply: 30 }));
  }
  const report = buildReport(collector.result, loadTargets(), 'synthetic 100k', 'built-in');
  return renderHtmlReport({ report, details: { ...collector.result.details.result(), topCodes: collector.result.codes.top(10) } });
}

describe('report --html at 100,000 members', () => {
  const temp = tempDir('fhirseed-browser-100k-');
  const file = join(temp.dir, 'report-100000.html');
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    writeFileSync(file, bigPage());
  });
  afterAll(async () => {
    await browser?.close();
    temp.cleanup();
  });

  it('should stay under 5 MB and draw every chart', async () => {
    expect(statSync(file).size).toBeLessThan(5 * 1024 * 1024);
    const { page, log } = await browser.open(file, { width: 1280, height: 900 });
    expect(await page.locator('header').innerText()).toContain('100,000 members');
    const charts = await chartsOf(page);
    expect(charts.map((c) => c.id)).toEqual(['pyramid', 'books', 'plans', 'states', 'prevalence', 'claims', 'allowed', 'paid', 'liability', 'resources']);
    for (const c of charts) expect(c.marks, c.id).toBeGreaterThan(0);
    expect(log.consoleErrors).toEqual([]);
    expect(log.blocked).toEqual([]);
    await page.close();
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { writeMappingGuide } from '../../src/guide/index.js';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { launchChromium, type Browser } from './chromium.js';

/** Where the screenshots go (ignored by git), as test/browser/report.test.ts. */
const SCREENSHOTS = join('output', 'screenshots');

describe('the mapping guide and serve\'s index page in headless Chromium', () => {
  const temp = tempDir('fhirseed-browser-site-');
  let browser: Browser;
  let server: RunningServer;
  let origin = '';
  let guideFile = '';

  beforeAll(async () => {
    browser = await launchChromium();
    const dir = join(temp.dir, 'out');
    generateTo(dir, { ...shippedProfile('default'), members: 3 });
    server = await startServer({ dir, auth: { mode: 'smart-patient' }, packagesDir: SHARED_PACKAGES });
    origin = server.url.replace(/\/fhir$/, '');
    guideFile = writeMappingGuide(loadCodeMaps(), join(temp.dir, 'guide')).html;
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    temp.cleanup();
  });

  it('should open the mapping guide with its tables, no console error, no request off the machine, and fit a narrow window', async () => {
    const { page, log } = await browser.open(guideFile, { width: 1280, height: 900 });
    expect(await page.locator('#elements-table tbody tr').count()).toBeGreaterThan(30);
    expect(await page.locator('#systems-table tbody tr').count()).toBeGreaterThan(50);
    expect(await page.locator('#notices-table tbody tr').count()).toBeGreaterThan(10);
    expect(await page.locator('section.crosswalk').count()).toBeGreaterThanOrEqual(5);
    await page.screenshot({ path: join(SCREENSHOTS, 'mapping-guide.png'), fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'mapping-guide-narrow.png') });
    expect(log.consoleErrors).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.blocked).toEqual([]);
    await page.close();
  });

  it('should open the index page from serve, and each page it links to, with no console error and nothing leaving the machine', async () => {
    const { page, log } = await browser.open(`${origin}/`, { width: 1280, height: 900 });
    expect(await page.locator('#endpoint').textContent()).toBe(server.url);
    expect(await page.locator('#members tbody tr').count()).toBe(3);
    await page.screenshot({ path: join(SCREENSHOTS, 'index.png'), fullPage: true });
    const links = await page.$$eval('#links a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links.map((l) => new URL(l).pathname)).toEqual(['/fhir/metadata', '/report.html', '/mapping-guide.html', '/ready-made']);
    for (const link of links) {
      const answer = await page.goto(link, { waitUntil: 'load' });
      expect(answer?.status(), link).toBe(200);
    }
    await page.goto(`${origin}/report.html`, { waitUntil: 'load' });
    expect(await page.locator('figure.chart svg').count()).toBeGreaterThan(5);
    expect(log.consoleErrors).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.blocked).toEqual([]);
    await page.close();
  });
});

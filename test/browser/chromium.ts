import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium package (CI's .ci/run installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

/** What a page did that the tests judge: console errors, uncaught exceptions, requests that would leave the machine. */
export interface PageLog {
  consoleErrors: string[];
  pageErrors: string[];
  blocked: string[];
}

/** A headless Chromium with a fresh profile; every request that is not file:// or to 127.0.0.1 is aborted and logged. */
export interface Browser {
  context: BrowserContext;
  /** `file`: a path, or an http://127.0.0.1 URL (the sandbox's pages). */
  open(file: string, viewport: { width: number; height: number }): Promise<{ page: Page; log: PageLog }>;
  close(): Promise<void>;
}

const LOCAL = /^(file:|data:|about:|https?:\/\/127\.0\.0\.1[:/])/;

/** Launches Chromium; throws a clear error when it is not installed (the test must fail, not skip). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the browser tests need Debian's chromium package (apt-get install -y chromium; .ci/run installs it)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'fhirseed-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async open(file, viewport) {
      const page = await context.newPage();
      const log: PageLog = { consoleErrors: [], pageErrors: [], blocked: [] };
      await page.route('**/*', async (route) => {
        const url = route.request().url();
        if (LOCAL.test(url)) return route.continue();
        log.blocked.push(url);
        return route.abort('blockedbyclient');
      });
      page.on('console', (m) => {
        if (m.type() === 'error') log.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => log.pageErrors.push(e.message));
      await page.setViewportSize(viewport);
      await page.goto(/^https?:\/\//.test(file) ? file : pathToFileURL(file).href, { waitUntil: 'load' });
      return { page, log };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Per chart on the page (`figure.chart`): its id, whether it holds an SVG with a size, and how many marks it draws. */
export async function chartsOf(page: Page): Promise<{ id: string; width: number; height: number; marks: number }[]> {
  return page.$$eval('figure.chart', (figures) =>
    figures.map((f) => {
      const svgs = [...f.querySelectorAll('svg')].filter((s) => s.getAttribute('viewBox'));
      const svg = svgs[0];
      const box = svg?.getBoundingClientRect();
      // Plot puts each mark in a <g aria-label="bar|dot|tick|rule|text">; axes and grids are labelled "…axis…".
      const marks = svg ? [...svg.querySelectorAll('g[aria-label]')].filter((g) => !/axis|grid/.test(g.getAttribute('aria-label') ?? '')).reduce((n, g) => n + g.querySelectorAll('rect, circle, line, path, text').length, 0) : 0;
      return { id: f.getAttribute('data-chart') ?? '', width: box?.width ?? 0, height: box?.height ?? 0, marks };
    }),
  );
}

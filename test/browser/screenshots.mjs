// npm run screenshots [-- --members N] [-- --data DIR]: the report page of a larger population (2,000 members
// by default; too slow to generate inside the test suite) in headless Chromium, checked as the browser test
// checks the 25-member page, and screenshots at 1280 and 390 pixels wide under output/screenshots/.
// Exits 1 when a chart is missing or empty, the console logs an error, or the page asks for the network.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const members = Number(option('--members', '2000'));
const shots = resolve('output', 'screenshots');
mkdirSync(shots, { recursive: true });

function fhirseed(argv) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['dist/src/cli/bin.js', ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  if (r.status !== 0) {
    console.error(`fhirseed ${argv.join(' ')} exited ${r.status}`);
    process.exit(1);
  }
  console.log(`fhirseed ${argv[0]}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return r.stdout;
}

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'fhirseed-screenshots-'));
const data = option('--data', join(work, 'data'));
if (!option('--data')) fhirseed(['generate', '--members', String(members), '--out', data]);
const page = join(shots, `report-${members}.html`);
const packages = process.env.FHIRSEED_PACKAGES ?? (existsSync('../shared/fhir-packages') ? resolve('../shared/fhir-packages') : undefined);
fhirseed(['report', data, '--html', page, '--validate', ...(packages ? ['--packages', packages] : [])]);
console.log(`page: ${page} (${Math.round(statSync(page).size / 1024)} KiB)`);

const profile = mkdtempSync(join(tmpdir(), 'fhirseed-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
for (const [width, name] of [[1280, `report-${members}.png`], [390, `report-${members}-narrow.png`]]) {
  const tab = await context.newPage();
  tab.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await tab.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file:|data:|about:)/.test(url)) return route.continue();
    problems.push(`request leaving the machine: ${url}`);
    return route.abort('blockedbyclient');
  });
  await tab.setViewportSize({ width, height: 900 });
  const started = Date.now();
  await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
  console.log(`${width}px: loaded and laid out in ${Date.now() - started} ms`);
  const charts = await tab.$$eval('figure.chart', (fs) =>
    fs.map((f) => {
      const svg = [...f.querySelectorAll('svg')].find((s) => s.getAttribute('viewBox'));
      const marks = svg ? [...svg.querySelectorAll('g[aria-label]')].filter((g) => !/axis|grid/.test(g.getAttribute('aria-label') ?? '')).reduce((n, g) => n + g.querySelectorAll('rect, circle, line, path, text').length, 0) : 0;
      return { id: f.getAttribute('data-chart'), width: svg?.getBoundingClientRect().width ?? 0, marks };
    }),
  );
  for (const c of charts) if (!(c.width > 100 && c.marks > 0)) problems.push(`chart ${c.id} drew nothing`);
  if ((await tab.locator('figure.chart-empty').count()) > 0) problems.push('a chart had no data');
  const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`${width}px: ${overflow}px of sideways scrolling`);
  await tab.screenshot({ path: join(shots, name), fullPage: true });
  console.log(`${width}px: ${charts.length} charts; screenshot ${join(shots, name)}`);
}
await context.close();
rmSync(profile, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);

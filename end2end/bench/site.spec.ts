import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { generatedEstate, type Estate } from '../helpers/estate';

// B7, the release bundle's size after wasm-opt, and B8, the matrix page from navigation to
// hydrated in headless Chromium against a near-empty page (the sign-in page: one island), both
// medians of `PORTAL_BENCH_LOADS` loads (15) on a generated estate of `PORTAL_BENCH_APPS` (5,000).
// Hydration's end is the `portal:hydrated` mark the bundle sets once its islands are awake.
// Writes server/benches/SITE.md.

const apps = Number(process.env.PORTAL_BENCH_APPS ?? 5000);
const loads = Number(process.env.PORTAL_BENCH_LOADS ?? 15);
const site = process.env.LEPTOS_SITE_ROOT ?? path.resolve(__dirname, '../../target/site');
const out = process.env.PORTAL_BENCH_OUT ?? path.resolve(__dirname, '../../server/benches/SITE.md');

let estate: Estate | undefined;

test.afterAll(() => estate?.stop());

interface Timing {
  hydrated: number;
  domContentLoaded: number;
  load: number;
  bytes: number;
}

async function timed(page: Page, url: string): Promise<Timing> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => performance.getEntriesByName('portal:hydrated').length > 0, null, {
    timeout: 30_000,
  });
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return {
      hydrated: performance.getEntriesByName('portal:hydrated')[0].startTime,
      domContentLoaded: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
      bytes: nav.encodedBodySize,
    };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function kb(n: number): string {
  return (n / 1024).toFixed(1);
}

test('B7 and B8: the bundle and hydration', async ({ browser }) => {
  // B7: every file the browser fetches for the islands, raw and gzip (level 9).
  const pkg = path.join(site, 'pkg');
  const files = fs.readdirSync(pkg).filter((f) => /\.(wasm|js)$/.test(f));
  expect(files.some((f) => f.endsWith('.wasm'))).toBe(true);
  const sizes = files.map((f) => {
    const bytes = fs.readFileSync(path.join(pkg, f));
    return { f, raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  });

  // B8 on a generated estate.
  estate = await generatedEstate(browser, Number(process.env.PORTAL_BENCH_PORT ?? 3190), apps, 7);
  const context = await browser.newContext({ baseURL: estate.baseURL, storageState: estate.state });
  const page = await context.newPage();
  const pages = [
    { name: 'sign-in page (near-empty: one island)', url: '/signin', signedIn: false },
    { name: 'matrix, first page (200 rows)', url: '/matrix', signedIn: true },
    { name: 'matrix, filtered (contractors, high)', url: '/matrix?criticality=high&population=contractors', signedIn: true },
  ];
  const anonymous = await browser.newContext({ baseURL: estate.baseURL });
  const anonymousPage = await anonymous.newPage();
  const rows: string[] = [];
  const medians: Record<string, number> = {};
  for (const p of pages) {
    const target = p.signedIn ? page : anonymousPage;
    await timed(target, p.url); // warm: the estate loaded, the bundle cached as a returning user has it
    const runs: Timing[] = [];
    for (let i = 0; i < loads; i++) runs.push(await timed(target, p.url));
    const h = median(runs.map((r) => r.hydrated));
    medians[p.name] = h;
    rows.push(
      `| ${p.name} | ${kb(median(runs.map((r) => r.bytes)))} | ${median(runs.map((r) => r.domContentLoaded)).toFixed(0)} | ${median(runs.map((r) => r.load)).toFixed(0)} | ${h.toFixed(0)} | ${Math.max(...runs.map((r) => r.hydrated)).toFixed(0)} |`,
    );
  }
  await context.close();
  await anonymous.close();
  const base = medians[pages[0].name];
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
  const report = [
    '# B7, B8: the bundle and hydration',
    '',
    `Release build (wasm-opt from binaryen 132), Debian's Chromium headless, ${apps} applications generated (seed 7); ` +
      `medians of ${loads} loads after one warm load; commit ${commit}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '## B7: what the browser fetches for the islands',
    '',
    '| file | raw KB | gzip KB |',
    '|---|---:|---:|',
    ...sizes.map((s) => `| ${s.f} | ${kb(s.raw)} | ${kb(s.gzip)} |`),
    `| all | ${kb(sizes.reduce((a, s) => a + s.raw, 0))} | ${kb(sizes.reduce((a, s) => a + s.gzip, 0))} |`,
    '',
    'Target: the WASM at most 150 KB gzip (the design measured 120 KB for a two-island page).',
    '',
    '## B8: navigation to hydrated',
    '',
    '| page | HTML KB (encoded) | DOMContentLoaded ms | load ms | hydrated ms (median) | hydrated ms (worst) |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    ...pages.slice(1).map((p) => `${p.name}: ${(medians[p.name] / base).toFixed(2)} × the near-empty page.`),
    '',
    'Target: the matrix page hydrated within 300 ms.',
    '',
  ].join('\n');
  fs.writeFileSync(out, report);
  console.log(report);
  for (const p of pages) expect(medians[p.name]).toBeGreaterThan(0);
});

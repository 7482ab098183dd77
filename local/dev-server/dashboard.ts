/**
 * The local stack's dashboard. At `/`, for each served pair, a candlestick chart of the window the model
 * read, the predicted next close marked on it with the 80% and 95% intervals of the next close at the
 * next hour, that range in words, the change, the model's test error beside the naive forecast's, and
 * the model's age, labelled stale past the limit. The page reads the API itself
 * (/models, then /predict?...&include=candles per pair) with an API key the server writes into it:
 * acceptable only because the adapter listens on loopback and the page is served by the local stack
 * alone; the deployed API has no dashboard. The chart library (lightweight-charts, from node_modules)
 * is served by the same server: the page needs no CDN. The page's script is dashboard/app.ts, bundled
 * by esbuild when the server starts.
 *
 * At `/runs.html`, the recorded training runs (GET /runs) with the learning curves and the comparison of two;
 * at `/heldout.html`, a run's held-out hours (GET /heldout) as a fan with the closes that followed. Their
 * scripts are dashboard/runs-app.ts and dashboard/heldout-app.ts, bundled the same way.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { PageHandler } from './adapter.js';

export const CHART_LIBRARY_URL = '/assets/lightweight-charts.js';
export const DASHBOARD_SCRIPT_URL = '/assets/dashboard.js';
export const RUNS_SCRIPT_URL = '/assets/runs.js';
export const HELD_OUT_SCRIPT_URL = '/assets/heldout.js';

/** The dashboard's pages: path, header, the element its script fills, and the script (dashboard/). */
export const DASHBOARD_PAGES = {
  forecasts: {
    path: '/',
    nav: 'Forecasts',
    heading: 'crypto-forecast',
    intro: 'Hourly close forecasts from the local stack.',
    mainId: 'pairs',
    script: { url: DASHBOARD_SCRIPT_URL, entry: 'app.ts' },
    chartLibrary: true,
  },
  runs: {
    path: '/runs.html',
    nav: 'Training runs',
    heading: 'Training runs',
    intro:
      'Every training run the job recorded, published, refused or failed: learning curves and comparisons.',
    mainId: 'page',
    script: { url: RUNS_SCRIPT_URL, entry: 'runs-app.ts' },
    chartLibrary: false,
  },
  heldout: {
    path: '/heldout.html',
    nav: 'Held-out hours',
    heading: 'Held-out hours',
    intro: 'The served range of each held-out hour beside the close that followed.',
    mainId: 'page',
    script: { url: HELD_OUT_SCRIPT_URL, entry: 'heldout-app.ts' },
    chartLibrary: false,
  },
} as const;

export type DashboardPage = keyof typeof DASHBOARD_PAGES;

/**
 * A page's script (dashboard/{entry}, default app.ts) as one browser script. esbuild (a devDependency:
 * the local stack runs from a checkout) strips the types and joins the script's DOM-free neighbours in
 * dashboard/ and the pure modules they import (core/runs/compare, heldout-coverage); beyond them it
 * imports only types, so nothing else (zod, the chart library) is bundled.
 */
export async function buildDashboardScript(entry = 'app.ts'): Promise<string> {
  const { build } = await import('esbuild');
  const file = fileURLToPath(new URL(`./dashboard/${entry}`, import.meta.url));
  const result = await build({
    entryPoints: [file],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild produced nothing for ${file}`);
  return output.text;
}

/** The standalone build: one script that defines window.LightweightCharts (v5 API). */
export function chartLibraryPath(): string {
  // The package's exports map hides dist/, but exports package.json; the build sits beside it.
  const manifest = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
  return join(dirname(manifest), 'dist', 'lightweight-charts.standalone.production.js');
}

export interface DashboardOptions {
  /** The key the page sends in x-api-key. */
  readonly apiKey: string;
  /** A line under the title, such as where the candles come from. */
  readonly note?: string;
  /**
   * True when the stack's candles are generated (its own fake exchange): every page labels its figures so.
   * Absent, the pages tell from each recorded run's data source (dashboard/data-label.ts).
   */
  readonly generated?: boolean;
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, ' ');
}

const STYLE = `
  :root { color-scheme: light; --up: #16a34a; --down: #dc2626; --muted: #64748b; --line: #e2e8f0; --accent: #7c3aed; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #0f172a; background: #f8fafc; }
  header { padding: 16px 24px; border-bottom: 1px solid var(--line); background: #fff; }
  h1 { margin: 0; font-size: 20px; }
  header p { margin: 4px 0 0; color: var(--muted); }
  main { padding: 16px 24px; display: grid; gap: 16px; }
  .pair { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; display: grid;
    grid-template-columns: minmax(0, 1fr) 320px; gap: 16px; }
  .pair h2 { margin: 0 0 8px; font-size: 18px; grid-column: 1 / -1; }
  .chart { height: 340px; min-width: 0; }
  .side dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0 0 12px; }
  .side dt { color: var(--muted); }
  .side dd { margin: 0; font-variant-numeric: tabular-nums; text-align: right; }
  .big { font-size: 22px; font-weight: 600; }
  .up { color: var(--up); } .down { color: var(--down); }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .verdict { margin: 8px 0 0; padding: 8px; border-radius: 6px; background: #f1f5f9; }
  .verdict.bad { background: #fef2f2; color: #991b1b; }
  .verdict.good { background: #f0fdf4; color: #166534; }
  nav { display: flex; gap: 16px; margin: 0 0 6px; font-size: 13px; }
  nav a { color: var(--accent); text-decoration: none; } nav a[aria-current] { color: #0f172a; font-weight: 600; }
  .generated { margin: 0; padding: 6px 10px; border-radius: 6px; background: #fefce8; color: #854d0e; border: 1px solid #fde68a; }
  .pair .generated { grid-column: 1 / -1; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; min-width: 0; }
  .card h2 { margin: 0 0 8px; font-size: 18px; } .card h3 { margin: 16px 0 6px; font-size: 15px; }
  .views { display: grid; gap: 16px; }
  .plot-box { width: 100%; }
  svg.plot { width: 100%; height: auto; display: block; font-size: 12px; }
  svg.plot .grid line { stroke: #e2e8f0; } svg.plot .grid text { fill: var(--muted); }
  table.runs td, table.compare td { vertical-align: top; }
  table.runs .reason { max-width: 420px; white-space: normal; text-align: left; }
  td.outcome { text-align: left; } td.outcome.refused span, td.outcome.failed span { color: #9a3412; font-weight: 600; }
  td.pick { text-align: center; width: 24px; } .mono { font-family: ui-monospace, monospace; font-size: 12px; }
  td.better { color: var(--up); font-weight: 600; }
  .tie { color: #334155; }
  .legend-row { display: flex; flex-wrap: wrap; gap: 12px; color: var(--muted); font-size: 12px; }
  .swatch { display: inline-flex; align-items: center; gap: 4px; }
  .swatch i { display: inline-block; width: 14px; height: 10px; }
  .swatch i.ring { width: 10px; height: 10px; border: 2px solid #dc2626; border-radius: 50%; }
  .controls label { margin-right: 12px; }
  .side h3 { margin: 16px 0 4px; font-size: 15px; }
  .range { margin: 0; }
  .error { color: #991b1b; grid-column: 1 / -1; }
  .muted { color: var(--muted); font-size: 12px; }
  footer { padding: 0 24px 24px; color: var(--muted); font-size: 12px; }
  @media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

const FOOTER = `<footer>Local development only: this page carries the local API key, written into it by the local server.
Skill is 1 − model MAE / naive MAE on the model's test windows; near 0 the point forecast ties "no change", the expected result one hour ahead.
The range's CRPS skill is 1 − its CRPS / the CRPS of the RiskMetrics EWMA volatility estimate, on the same held-out hours.</footer>`;

/** A dashboard page: the header with the pages' links, the element its script fills, and its scripts. */
export function pageHtml(page: DashboardPage, options: DashboardOptions, nonce: string): string {
  const spec = DASHBOARD_PAGES[page];
  const links = Object.values(DASHBOARD_PAGES)
    .map(
      (other) =>
        `<a href="${other.path}"${other.path === spec.path ? ' aria-current="page"' : ''}>${other.nav}</a>`,
    )
    .join('\n');
  const config = {
    apiKey: options.apiKey,
    ...(options.generated === undefined ? {} : { generated: options.generated }),
  };
  const library = spec.chartLibrary ? `<script nonce="${nonce}" src="${CHART_LIBRARY_URL}"></script>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crypto-forecast: ${spec.nav.toLowerCase()} (local)</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-state="loading">
<header>
<nav>${links}</nav>
<h1>${spec.heading}</h1>
<p>${spec.intro} <span id="status">Loading…</span></p>
${options.note === undefined ? '' : `<p class="muted">${escapeHtml(options.note)}</p>`}
</header>
<main id="${spec.mainId}"></main>
${FOOTER}
<script nonce="${nonce}">window.DASHBOARD = ${scriptJson(config)};</script>
${library}<script nonce="${nonce}" src="${spec.script.url}"></script>
</body>
</html>
`;
}

/** The forecasts page, `/`. */
export function dashboardHtml(options: DashboardOptions, nonce: string): string {
  return pageHtml('forecasts', options, nonce);
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra = {},
): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  response.end(body);
}

/**
 * The dashboard's GET paths (the page, its script, the chart library), for the adapter's `pages`;
 * anything else is left to the API. The script is built at once, so that a build error shows at start.
 */
export function dashboardPages(options: DashboardOptions): PageHandler {
  let library: Promise<Buffer> | undefined;
  const scripts = new Map<string, Promise<string>>();
  const pages = new Map<string, DashboardPage>([['/index.html', 'forecasts']]);
  for (const name of Object.keys(DASHBOARD_PAGES) as DashboardPage[]) {
    const { path, script } = DASHBOARD_PAGES[name];
    pages.set(path, name);
    const built = buildDashboardScript(script.entry);
    built.catch(() => {}); // reported by the request that awaits it
    scripts.set(script.url, built);
  }
  return async ({ method, path }, response) => {
    if (method !== 'GET') return false;
    const page = pages.get(path);
    if (page !== undefined) {
      const nonce = randomBytes(16).toString('base64');
      send(response, 200, 'text/html; charset=utf-8', pageHtml(page, options, nonce), {
        'Cache-Control': 'no-store',
        // Only this page's own scripts, and requests to this server: the key must not leave it. Inline
        // styles are allowed because the chart library sets style attributes on the elements it makes.
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`,
      });
      return true;
    }
    const script = scripts.get(path);
    if (script !== undefined) {
      send(response, 200, 'text/javascript; charset=utf-8', await script, { 'Cache-Control': 'no-store' });
      return true;
    }
    if (path === CHART_LIBRARY_URL) {
      library ??= readFile(chartLibraryPath());
      send(response, 200, 'text/javascript; charset=utf-8', await library, {
        'Cache-Control': 'max-age=3600',
      });
      return true;
    }
    return false;
  };
}

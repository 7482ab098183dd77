/**
 * The local stack's dashboard at `/`: for each served pair, a candlestick chart of the window the model
 * read, the predicted next close marked on it with the 80% and 95% intervals of the next close at the
 * next hour, that range in words, the change, the model's test error beside the naive forecast's, and
 * the model's age, labelled stale past the limit. The page reads the API itself
 * (/models, then /predict?...&include=candles per pair) with an API key the server writes into it:
 * acceptable only because the adapter listens on loopback and the page is served by the local stack
 * alone; the deployed API has no dashboard. The chart library (lightweight-charts, from node_modules)
 * is served by the same server: the page needs no CDN. The page's script is dashboard/app.ts, bundled
 * by esbuild when the server starts.
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

/** The page's script (dashboard/app.ts), typed and linted with the rest, bundled for the browser. */
const SCRIPT_ENTRY = fileURLToPath(new URL('./dashboard/app.ts', import.meta.url));

/**
 * dashboard/app.ts as one browser script. esbuild (a devDependency: the local stack runs from a
 * checkout) strips the types and joins the script's DOM-free neighbours in dashboard/; beyond them
 * it imports only types, so nothing else (zod, the chart library) is bundled.
 */
export async function buildDashboardScript(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [SCRIPT_ENTRY],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild produced nothing for ${SCRIPT_ENTRY}`);
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
  .side h3 { margin: 16px 0 4px; font-size: 15px; }
  .range { margin: 0; }
  .error { color: #991b1b; grid-column: 1 / -1; }
  .muted { color: var(--muted); font-size: 12px; }
  footer { padding: 0 24px 24px; color: var(--muted); font-size: 12px; }
  @media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
`;

export function dashboardHtml(options: DashboardOptions, nonce: string): string {
  const escape = (text: string): string =>
    text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crypto-forecast: local dashboard</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-state="loading">
<header>
<h1>crypto-forecast</h1>
<p>Hourly close forecasts from the local stack. <span id="status">Loading…</span></p>
${options.note === undefined ? '' : `<p class="muted">${escape(options.note)}</p>`}
</header>
<main id="pairs"></main>
<footer>Local development only: this page carries the local API key, written into it by the local server.
Skill is 1 − model MAE / naive MAE on the model's test windows; below 0 the model does worse than no forecast.
The range's CRPS skill is 1 − its CRPS / the CRPS of the RiskMetrics EWMA volatility estimate, on the same held-out hours.</footer>
<script nonce="${nonce}">window.DASHBOARD = ${scriptJson({ apiKey: options.apiKey })};</script>
<script nonce="${nonce}" src="${CHART_LIBRARY_URL}"></script>
<script nonce="${nonce}" src="${DASHBOARD_SCRIPT_URL}"></script>
</body>
</html>
`;
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
  const script = buildDashboardScript();
  script.catch(() => {}); // reported by the request that awaits it
  return async ({ method, path }, response) => {
    if (method !== 'GET') return false;
    if (path === '/' || path === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      send(response, 200, 'text/html; charset=utf-8', dashboardHtml(options, nonce), {
        'Cache-Control': 'no-store',
        // Only this page's own scripts, and requests to this server: the key must not leave it. Inline
        // styles are allowed because the chart library sets style attributes on the elements it makes.
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`,
      });
      return true;
    }
    if (path === DASHBOARD_SCRIPT_URL) {
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

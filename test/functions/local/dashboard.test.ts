import '../quiet-logs.js';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { startLocalApi, type LocalApi } from '../../../functions/local/adapter.js';
import {
  CHART_LIBRARY_URL,
  DASHBOARD_SCRIPT_URL,
  dashboardHtml,
  dashboardPages,
} from '../../../functions/local/dashboard.js';
import { createHandlers } from '../../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../../functions/runtime.js';
import { ModelsResponseSchema } from '../../../functions/schemas.js';
import { smallConfig } from '../../support/small-config.js';
import { startServingWorld, type ServingWorld } from '../support.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const KEY = 'dashboard-test-key';
const PAIRS = ['BTC/USDT', 'ETH/USDT'] as const;

/**
 * Outside CI a machine without Chromium skips the page test and says why; in CI (CI=true, which
 * .ci/run sets after installing Debian's chromium) a missing browser is a failure, never a skip.
 */
const browserMissing = existsSync(CHROMIUM)
  ? false
  : process.env['CI'] === 'true'
    ? false
    : `${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`;

/** What Chromium needs as root on a closed network (ARCHITECTURE.md): no sandbox, no GPU, no calls home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

describe('the dashboard page', () => {
  it('serves the page with the key written in safely, and the chart library from node_modules', async () => {
    // Prepare
    const pages = dashboardPages({ apiKey: KEY, note: 'Offline: <b>file</b>' });
    const runtime = createRuntime(smallConfig());
    const api = await startLocalApi({ handlers: createHandlers(runtime), apiKeys: [KEY], port: 0, pages });

    try {
      // Act
      const page = await fetch(`${api.url}/`);
      const html = await page.text();
      const library = await fetch(`${api.url}${CHART_LIBRARY_URL}`);
      const script = await library.text();
      const app = await fetch(`${api.url}${DASHBOARD_SCRIPT_URL}`);
      const appScript = await app.text();
      const post = await fetch(`${api.url}/`, { method: 'POST' });

      // Assess
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /connect-src 'self'/);
      assert.ok(html.includes(`"apiKey":"${KEY}"`));
      assert.ok(html.includes('Offline: &lt;b&gt;file&lt;/b&gt;'), 'the note is escaped');
      assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)/, 'no script or style from elsewhere');
      assert.equal(library.status, 200);
      assert.match(library.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.match(script, /Lightweight Charts™ v5\./);
      assert.match(script, /window\.LightweightCharts=/);
      assert.equal(post.status, 404, 'only GET is a page; anything else is left to the API');
      assert.equal(app.status, 200);
      assert.match(app.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.match(appScript, /Could not list the models/, 'dashboard/app.ts, built for the browser');
      assert.doesNotMatch(appScript, /\bimport\b|: HTMLElement/, 'no module syntax or types left');
      assert.ok(html.includes(`src="${DASHBOARD_SCRIPT_URL}"`));
    } finally {
      await api.close();
      await runtime.close();
    }
  });

  it('keeps a key that could end the script element from doing so', () => {
    const html = dashboardHtml({ apiKey: '</script><script>alert(1)</script>' }, 'nonce');
    assert.ok(!html.includes('</script><script>alert(1)'));
    assert.ok(html.includes('\\u003c/script>'));
  });
});

describe('the dashboard in Chromium', { skip: browserMissing }, () => {
  let world: ServingWorld;
  let runtime: Runtime;
  let api: LocalApi;
  let browser: BrowserContext;
  let profile: string;
  const versions = new Map<string, string>();

  before(async () => {
    // Prepare: two pairs trained for real (tiny models), served by the real handlers behind the adapter
    world = await startServingWorld([...PAIRS]);
    for (const pair of PAIRS) versions.set(pair, (await world.publish(pair)).version);
    runtime = createRuntime(world.config);
    api = await startLocalApi({
      handlers: createHandlers(runtime),
      apiKeys: [KEY],
      port: 0,
      pages: dashboardPages({ apiKey: KEY }),
    });
    profile = await mkdtemp(join(tmpdir(), 'dashboard-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
  });

  after(async () => {
    await browser?.close();
    await api?.close();
    await runtime?.close();
    await world?.close();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  it('draws a chart per pair with the predicted close, the change and the metrics, without console errors', async (t) => {
    // Prepare
    const page = await browser.newPage();
    const problems: string[] = [];
    const requested: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('request', (request) => requested.push(request.url()));

    // Act
    await page.goto(`${api.url}/`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    const screenshot = join(tmpdir(), `dashboard-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    t.diagnostic(`screenshot: ${screenshot}`);

    // Assess
    assert.deepEqual(problems, []);
    const sections = await page.$$eval('section.pair', (nodes) =>
      nodes.map((node) => ({
        pair: node.getAttribute('data-pair'),
        state: node.getAttribute('data-state'),
        // Drawn canvases: the chart sizes its canvases to the container, a blank one stays 300 x 150.
        canvases: [...node.querySelectorAll('.chart canvas')].filter(
          (canvas) =>
            Number(canvas.getAttribute('width')) > 300 && Number(canvas.getAttribute('height')) > 150,
        ).length,
        text: node.textContent ?? '',
      })),
    );
    assert.deepEqual(
      sections.map((s) => [s.pair, s.state]),
      PAIRS.map((pair) => [pair, 'ready']),
    );
    const models = ModelsResponseSchema.parse(
      await (await fetch(`${api.url}/models`, { headers: { 'x-api-key': KEY } })).json(),
    );
    for (const section of sections) {
      assert.ok(section.canvases >= 1, `${section.pair}: a drawn chart`);
      assert.match(section.text, /Predicted close/);
      assert.match(section.text, /Change[+−][\d,.]+ \([+−]\d+\.\d{2}%\)/);
      assert.match(section.text, /This model[\d,.]+/);
      assert.match(section.text, /Naive \(next close = last close\)[\d,.]+/);
      const skill = models.models.find((m) => m.pair === section.pair)?.metrics.skill;
      assert.ok(skill !== undefined && skill !== null);
      assert.match(
        section.text,
        skill < 0 ? /Worse than predicting no change/ : /Better than predicting no change/,
      );
      assert.match(section.text, /Model age\d+ min/, 'trained moments ago');
      assert.doesNotMatch(section.text, /stale/i);
    }
    assert.equal(await page.locator('.chart').count(), PAIRS.length, 'one chart per pair');
    const foreign = requested.filter((url) => !url.startsWith(`${api.url}/`) && !url.startsWith('data:'));
    assert.deepEqual(foreign, [], 'everything comes from the local server');
    assert.ok(requested.includes(`${api.url}${CHART_LIBRARY_URL}`));
    assert.ok(requested.includes(`${api.url}${DASHBOARD_SCRIPT_URL}`));
  });

  it('labels a model stale when its age is over the limit', async () => {
    // Prepare: each pair's model published again as trained 4 hours ago, past the 3 hours of conf/base.
    // The clock stays real: moving it would make the market window stale too (a 503, not a page).
    const fourHoursAgo = new Date(Date.now() - 4 * 3_600_000).toISOString();
    for (const pair of PAIRS) {
      const version = versions.get(pair);
      assert.ok(version !== undefined);
      await world.republish({ pair, version }, pair, {}, { trained_at: fourHoursAgo });
    }
    const later = createRuntime(world.config);
    const laterApi = await startLocalApi({
      handlers: createHandlers(later),
      apiKeys: [KEY],
      port: 0,
      pages: dashboardPages({ apiKey: KEY }),
    });
    const page = await browser.newPage();

    try {
      // Act
      await page.goto(`${laterApi.url}/`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      const labels = await page.$$eval('section.pair', (nodes) =>
        nodes.map((node) => node.querySelector('.stale')?.textContent ?? ''),
      );

      // Assess
      assert.equal(labels.length, PAIRS.length);
      for (const label of labels) {
        assert.match(
          label,
          /^Stale: trained 4\.0 h ago, over the limit of 3\.0 h; training has not renewed it\./,
        );
      }
    } finally {
      await page.close();
      await laterApi.close();
      await later.close();
    }
  });
});

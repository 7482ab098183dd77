import '../../functions/quiet-logs.js';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserMissing, launchChromium, type Browser } from '../../support/chromium.js';
import { startLocalApi, type LocalApi } from '../../../local/dev-server/adapter.js';
import {
  CHART_LIBRARY_URL,
  DASHBOARD_SCRIPT_URL,
  dashboardHtml,
  dashboardPages,
} from '../../../local/dev-server/dashboard.js';
import { BAND_COLORS } from '../../../local/dev-server/dashboard/forecast-band.js';
import { GENERATED_LABEL } from '../../../local/dev-server/dashboard/data-label.js';
import { money } from '../../../local/dev-server/dashboard/format.js';
import { pointVerdict } from '../../../local/dev-server/dashboard/point-words.js';
import { rangeWords } from '../../../local/dev-server/dashboard/range-words.js';
import { createHandlers } from '../../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../../functions/runtime.js';
import { ModelsResponseSchema } from '../../../functions/schemas/models.js';
import { PredictResponseSchema, type PredictResponse } from '../../../functions/schemas/predict.js';
import { smallConfig } from '../../support/small-config.js';
import { startServingWorld, type ServingWorld } from '../../functions/support.js';

const KEY = 'dashboard-test-key';
const PAIRS = ['BTC/USDT', 'ETH/USDT'] as const;

/** The band's colours as the RGB bytes a canvas holds, by part. */
const BAND_RGB = (Object.keys(BAND_COLORS) as (keyof typeof BAND_COLORS)[]).map(
  (name) => [name, [1, 3, 5].map((i) => parseInt(BAND_COLORS[name].slice(i, i + 2), 16))] as const,
);

/** The API's answer for `pair`, from the same server the page read. */
async function predictOf(url: string, pair: string): Promise<PredictResponse> {
  const [base = '', quote = ''] = pair.split('/');
  const response = await fetch(`${url}/predict?currency=${base}&compare=${quote}`, {
    headers: { 'x-api-key': KEY },
  });
  return PredictResponseSchema.parse(await response.json());
}

/** The interval in the page's words, from the answer's numbers: both ends with the median's decimals. */
function between(answer: PredictResponse, key: 'i80' | 'i90' | 'i95'): string {
  const { lower, upper } = answer.distribution.intervals[key];
  const median = answer.distribution.quantiles.p50;
  return `between $${money(lower, median)} and $${money(upper, median)}`;
}

/** A held-out summary for the sentences' own tests, with `crps_skill` and the 90% coverage given. */
function summaryWith(crpsSkill: number, i90: number): PredictResponse['model']['distribution'] {
  const coverage = { i80: 80, i90, i95: 95 };
  return {
    family: { name: 'gaussian' },
    scale: 'linear',
    calibrated: true,
    selection: null,
    network: null,
    measured: { windows: 40, crps_skill: crpsSkill, coverage_pct: coverage, b1_coverage_pct: coverage },
  };
}

const ANSWER_DISTRIBUTION: PredictResponse['distribution'] = {
  family: { name: 'gaussian' },
  scale: 0.004,
  quantiles: { p05: 99, p10: 99.5, p25: 99.8, p50: 100, p75: 100.2, p90: 100.5, p95: 101 },
  intervals: {
    i80: { lower: 99.5, upper: 100.5 },
    i90: { lower: 99, upper: 101 },
    i95: { lower: 98.75, upper: 101.25 },
  },
};

/** rangeWords reads the distribution and its summary only. */
function answerWith(summary: PredictResponse['model']['distribution']): PredictResponse {
  return {
    distribution: ANSWER_DISTRIBUTION,
    model: { distribution: summary },
  } as unknown as PredictResponse;
}

describe('the next-hour range in words', () => {
  it('says how often the range held and that it beats the volatility estimate', () => {
    const words = rangeWords(answerWith(summaryWith(0.0183, 90.4)), 'USDT');
    assert.equal(
      words.range,
      'Next hour\u2019s close: between $99.0000 and $101.0000, 9 times in 10 ' +
        '(on the last 40 held-out hours it was inside 90.4% of the time).',
    );
    assert.equal(
      words.skill,
      'Range forecast: 1.8% better than the standard volatility estimate ' +
        '(CRPS skill +1.8% vs EWMA, on 40 held-out hours).',
    );
    assert.equal(words.tone, 'good');
  });

  it('says so honestly when the range does worse than the volatility estimate', () => {
    const words = rangeWords(answerWith(summaryWith(-0.052, 84)), 'BTC');
    assert.match(words.range, /^Next hour\u2019s close: between 99\.0000 BTC and 101\.0000 BTC, 9 times/);
    assert.equal(
      words.skill,
      'Range forecast: 5.2% worse than the standard volatility estimate ' +
        '(CRPS skill \u22125.2% vs EWMA, on 40 held-out hours).',
    );
    assert.equal(words.tone, 'bad');
  });

  it('calls a skill that rounds to zero as good, with no sign to argue about', () => {
    const words = rangeWords(answerWith(summaryWith(-0.0004, 90)), 'USDT');
    assert.match(
      words.skill,
      /^Range forecast: as good as the standard volatility estimate \(CRPS skill \+0\.0%/,
    );
    assert.equal(words.tone, 'plain');
  });

  it('says a version without held-out figures was not measured', () => {
    const unmeasured = {
      family: { name: 'gaussian' },
      scale: 'b1',
      calibrated: false,
      selection: null,
      network: null,
      measured: null,
    } as const;
    const words = rangeWords(answerWith(unmeasured), 'USDT');
    assert.match(
      words.range,
      /9 times in 10; not measured for this version: how often it holds is unknown\.$/,
    );
    assert.equal(
      words.skill,
      'Range forecast: not measured for this version; it is the standard volatility estimate (EWMA) itself, unchecked.',
    );
  });
});

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
  let browser: Browser;
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
    browser = await launchChromium();
  });

  /**
   * Every pair's model published again by `republish`, then served by a new runtime behind a new local
   * API, with a page open for `use`; all three closed after it.
   */
  async function withEveryPairRepublished(
    republish: (pair: string, version: string) => Promise<unknown>,
    use: (page: Page, laterApi: LocalApi) => Promise<void>,
  ): Promise<void> {
    for (const pair of PAIRS) {
      const version = versions.get(pair);
      assert.ok(version !== undefined);
      await republish(pair, version);
    }
    const later = createRuntime(world.config);
    const laterApi = await startLocalApi({
      handlers: createHandlers(later),
      apiKeys: [KEY],
      port: 0,
      pages: dashboardPages({ apiKey: KEY }),
    });
    const page = await browser.context.newPage();
    try {
      await use(page, laterApi);
    } finally {
      await page.close();
      await laterApi.close();
      await later.close();
    }
  }

  after(async () => {
    await browser?.close();
    await api?.close();
    await runtime?.close();
    await world?.close();
  });

  it('draws a chart per pair with the predicted close, the change and the metrics, without console errors', async (t) => {
    // Prepare
    const page = await browser.context.newPage();
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
      const metrics = models.models.find((m) => m.pair === section.pair)?.metrics;
      assert.ok(metrics !== undefined && metrics !== null && metrics.skill !== null);
      // A tie with "no change" in plain words, not as a failure (point-words.ts).
      assert.ok(
        section.text.includes(pointVerdict(metrics.skill, metrics.test_mae, metrics.naive_mae).text),
        `${section.pair}: the point forecast against no change`,
      );
      // The runs were recorded from the fake exchange on loopback: generated candles, labelled so.
      assert.ok(section.text.includes(GENERATED_LABEL), `${section.pair}: labelled as generated`);
      assert.match(section.text, /Model age\d+ min/, 'trained moments ago');
      assert.doesNotMatch(section.text, /stale/i);
    }
    assert.equal(await page.locator('.chart').count(), PAIRS.length, 'one chart per pair');
    const foreign = requested.filter((url) => !url.startsWith(`${api.url}/`) && !url.startsWith('data:'));
    assert.deepEqual(foreign, [], 'everything comes from the local server');
    assert.ok(requested.includes(`${api.url}${CHART_LIBRARY_URL}`));
    assert.ok(requested.includes(`${api.url}${DASHBOARD_SCRIPT_URL}`));
  });

  it("draws the next hour's 80% and 95% bands and the median, and says the answer's range in words", async () => {
    // Prepare
    const page = await browser.context.newPage();

    try {
      // Act
      await page.goto(`${api.url}/`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      const answers = new Map<string, PredictResponse>();
      for (const pair of PAIRS) answers.set(pair, await predictOf(api.url, pair));
      const sections = await page.$$eval(
        'section.pair',
        // No named functions in here: tsx would wrap them in a helper the page does not have.
        (nodes, wanted) =>
          nodes.map((node) => {
            // The rows each colour of the band covers in the chart's canvases: nothing else uses them.
            const rows: Record<(typeof wanted)[number][0], [number, number] | null> = {
              outer: null,
              inner: null,
              median: null,
            };
            for (const canvas of node.querySelectorAll<HTMLCanvasElement>('.chart canvas')) {
              const context = canvas.getContext('2d');
              if (context === null || canvas.width === 0 || canvas.height === 0) continue;
              const { data, width } = context.getImageData(0, 0, canvas.width, canvas.height);
              for (let i = 0; i < data.length; i += 4) {
                for (const [name, [r, g, b]] of wanted) {
                  if (data[i] !== r || data[i + 1] !== g || data[i + 2] !== b || data[i + 3] !== 255)
                    continue;
                  const row = Math.floor(i / 4 / width);
                  const seen = rows[name];
                  rows[name] = seen === null ? [row, row] : [Math.min(seen[0], row), Math.max(seen[1], row)];
                }
              }
            }
            return {
              pair: node.getAttribute('data-pair') ?? '',
              rows,
              range: node.querySelector('.range')?.textContent ?? '',
              skill: node.querySelector('.range-skill')?.textContent ?? '',
              legend: node.querySelector('.legend')?.textContent ?? '',
            };
          }),
        BAND_RGB,
      );

      // Assess
      assert.equal(sections.length, PAIRS.length);
      for (const section of sections) {
        const answer = answers.get(section.pair);
        assert.ok(answer !== undefined);
        const { intervals, quantiles } = answer.distribution;
        const measured = answer.model.distribution.measured;
        assert.ok(measured !== null, 'a model trained for real carries its held-out figures');
        assert.equal(
          section.range,
          `Next hour\u2019s close: ${between(answer, 'i90')}, 9 times in 10 (on the last ` +
            `${measured.windows} held-out hours it was inside ${measured.coverage_pct.i90.toFixed(1)}% of the time).`,
        );
        const skill = Math.abs(100 * measured.crps_skill).toFixed(1);
        assert.match(
          section.skill,
          new RegExp(
            `^Range forecast: ${skill}% ${measured.crps_skill > 0 ? 'better' : 'worse'} than the standard ` +
              `volatility estimate \\(CRPS skill ${measured.crps_skill > 0 ? '\\+' : '\u2212'}${skill}% vs EWMA`,
          ),
        );
        assert.ok(section.legend.includes(`the dark bar is ${between(answer, 'i80')} (8 times in 10)`));
        assert.ok(section.legend.includes(`the light bar ${between(answer, 'i95')} (19 times in 20)`));
        // The drawn band has the answer's proportions: the 80% bar inside the 95% one, the median line
        // where p50 falls, to within rounding to whole pixels.
        const { outer, inner, median } = section.rows;
        assert.ok(outer !== null && inner !== null && median !== null, `${section.pair}: a band is drawn`);
        const height = outer[1] - outer[0] + 1;
        assert.ok(height >= 20, `${section.pair}: a band of ${height} px, tall enough to measure`);
        const at = (price: number): number =>
          outer[0] + (height * (intervals.i95.upper - price)) / (intervals.i95.upper - intervals.i95.lower);
        const near = (pixel: number, price: number, what: string): void =>
          assert.ok(
            Math.abs(pixel - at(price)) <= 2,
            `${section.pair}: ${what} at row ${pixel}, not ${at(price)}`,
          );
        near(inner[0], intervals.i80.upper, "the 80% bar's top");
        near(inner[1] + 1, intervals.i80.lower, "the 80% bar's bottom");
        near((median[0] + median[1] + 1) / 2, quantiles.p50, 'the median');
      }
    } finally {
      await page.close();
    }
  });

  it('says the range was not measured for a version published without distribution.json', async () => {
    // Prepare: each pair's model published again with its three files only, as a version from before
    // distribution.json; the predictor serves it as B1's Gaussian with no held-out figures.
    await withEveryPairRepublished(
      (pair, version) => world.republish({ pair, version }, pair),
      async (page, laterApi) => {
        // Act
        await page.goto(`${laterApi.url}/`);
        await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
        const sections = await page.$$eval('section.pair', (nodes) =>
          nodes.map((node) => ({
            pair: node.getAttribute('data-pair') ?? '',
            range: node.querySelector('.range')?.textContent ?? '',
            skill: node.querySelector('.range-skill')?.textContent ?? '',
            predicted: node.querySelector('dd.big')?.textContent ?? '',
          })),
        );

        // Assess
        assert.equal(sections.length, PAIRS.length);
        for (const section of sections) {
          const answer = await predictOf(laterApi.url, section.pair);
          assert.equal(answer.model.distribution.measured, null, 'served as B1, not measured');
          assert.equal(
            section.range,
            `Next hour\u2019s close: ${between(answer, 'i90')}, 9 times in 10; ` +
              'not measured for this version: how often it holds is unknown.',
          );
          assert.equal(
            section.skill,
            'Range forecast: not measured for this version; it is the standard volatility estimate (EWMA) itself, unchecked.',
          );
          assert.ok(section.predicted !== '', 'the point forecast is still shown');
        }
      },
    );
  });

  it('labels a model stale when its age is over the limit', async () => {
    // Prepare: each pair's model published again as trained 4 hours ago, past the 3 hours of conf/base.
    // The clock stays real: moving it would make the market window stale too (a 503, not a page).
    const fourHoursAgo = new Date(Date.now() - 4 * 3_600_000).toISOString();
    await withEveryPairRepublished(
      (pair, version) => world.republish({ pair, version }, pair, {}, { trained_at: fourHoursAgo }),
      async (page, laterApi) => {
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
      },
    );
  });
});

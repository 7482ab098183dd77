import '../../functions/quiet-logs.js';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { coverageWords, heldOutCoverage } from '../../../core/runs/heldout-coverage.js';
import type { HeldOutForecasts, HeldOutHour } from '../../../core/runs/heldout.js';
import { compareRuns, formatFigure } from '../../../core/runs/compare.js';
import { newVersion } from '../../../core/artifacts/layout.js';
import { createHandlers } from '../../../functions/handlers/index.js';
import { createRuntime, type Runtime } from '../../../functions/runtime.js';
import { HeldOutResponseSchema, type HeldOutResponse } from '../../../functions/schemas/heldout.js';
import { RunsResponseSchema, type RunsResponse } from '../../../functions/schemas/runs.js';
import { startLocalApi, type LocalApi } from '../../../local/dev-server/adapter.js';
import { ROUTES } from '../../../functions/routes.js';
import {
  DASHBOARD_PAGES,
  HELD_OUT_SCRIPT_URL,
  RUNS_SCRIPT_URL,
  dashboardPages,
  pageHtml,
} from '../../../local/dev-server/dashboard.js';
import { fanChart, learningChart } from '../../../local/dev-server/dashboard/charts.js';
import { GENERATED_LABEL, isGeneratedSource } from '../../../local/dev-server/dashboard/data-label.js';
import {
  linearScale,
  niceTicks,
  parsePoints,
  type LinearScale,
} from '../../../local/dev-server/dashboard/plot.js';
import { TIE_SKILL, pointVerdict } from '../../../local/dev-server/dashboard/point-words.js';
import { silentLog } from '../../../training-image/src/log.js';
import { trainPair } from '../../../training-image/src/pipeline/train-pair.js';
import { thisMachine } from '../../../training-image/src/runs/machine.js';
import { RunRecorder } from '../../../training-image/src/runs/recorder.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { runRecordFixture } from '../../core/runs/fixtures.js';
import { startServingWorld, type ServingWorld } from '../../functions/support.js';
import { browserMissing, launchChromium, type Browser } from '../../support/chromium.js';
import { smallConfig } from '../../support/small-config.js';

const KEY = 'runs-pages-test-key';
const PAIR = 'BTC/USDT';

/** A drawn chart as the page holds it: its scales' domain and range, and the points of each shape. */
interface DrawnChart {
  readonly x: LinearScale;
  readonly y: LinearScale;
}

function scalesOf(attributes: Record<string, string>): DrawnChart {
  const pair = (name: string): [number, number] => {
    const [a = NaN, b = NaN] = (attributes[name] ?? '').split(',').map(Number);
    return [a, b];
  };
  return {
    x: linearScale(pair('data-x-domain'), pair('data-x-range')),
    y: linearScale(pair('data-y-domain'), pair('data-y-range')),
  };
}

/** Whether a drawn point (in SVG units) is where `value` maps to, to within the drawing's rounding. */
function drawnAt(pixel: number, scale: LinearScale, value: number): boolean {
  return Math.abs(pixel - scale(value)) <= 0.6;
}

async function api<T>(url: string, path: string, schema: { parse(value: unknown): T }): Promise<T> {
  const response = await fetch(`${url}${path}`, { headers: { 'x-api-key': KEY } });
  assert.equal(response.status, 200, path);
  return schema.parse(await response.json());
}

describe('the runs and held-out pages, without a browser', () => {
  it('maps values to pixels and back, with round ticks', () => {
    const scale = linearScale([10, 20], [300, 100]);
    assert.equal(scale(15), 200);
    assert.equal(scale.invert(100), 20);
    assert.deepEqual(niceTicks(0.0012, 0.0049, 4), [0.002, 0.003, 0.004]);
    assert.equal(linearScale([5, 5], [0, 100])(5), 50, 'a flat domain sits in the middle');
  });

  it('says a point forecast that ties "no change" plainly, and only a clear loss in red', () => {
    const tie = pointVerdict(-0.021, 10.21, 10);
    assert.equal(tie.tone, 'plain');
    assert.match(
      tie.text,
      /^Ties predicting no change \(skill \u22120\.021\): the expected result one hour ahead/,
    );
    assert.equal(pointVerdict(-TIE_SKILL - 0.01, 11, 10).tone, 'bad');
    assert.equal(pointVerdict(0.2, 8, 10).tone, 'good');
  });

  it('takes an exchange on loopback for the fake exchange, and nothing else', () => {
    const exchange = (url: string | null) => ({ kind: 'exchange' as const, exchange: 'binance', url });
    assert.equal(isGeneratedSource(exchange('http://127.0.0.1:40123')), true);
    assert.equal(isGeneratedSource(exchange('http://localhost:8081/api')), true);
    assert.equal(isGeneratedSource(exchange('http://[::1]:8081')), true);
    assert.equal(isGeneratedSource(exchange(null)), false, 'the real exchange');
    assert.equal(isGeneratedSource(exchange('https://api.binance.com')), false);
    assert.equal(isGeneratedSource({ kind: 'file', path: 'btc.csv' }), false);
  });

  it('marks the closes outside the 95% interval that coverage counts', () => {
    const hour = (h: number, close: number): HeldOutHour => ({
      open_time: new Date(Date.UTC(2026, 11, 1, h)).toISOString(),
      last_close: 100,
      quantiles: { p05: 98, p10: 98.5, p25: 99, p50: 100, p75: 101, p90: 101.5, p95: 102 },
      i95: { lower: 97, upper: 103 },
      close,
    });
    const hours = [hour(0, 100), hour(1, 104), hour(2, 96.9), hour(3, 103)];
    const chart = fanChart(hours);
    assert.deepEqual(
      chart.outside.map((o) => o.openTime),
      heldOutCoverage(hours).outside_i95,
    );
    const lines = learningChart([
      {
        run: 'A',
        bestEpoch: 2,
        epochs: [
          { epoch: 1, train_loss: 0.2, val_loss: 0.3, seconds: 1 },
          { epoch: 2, train_loss: 0.1, val_loss: 0.25, seconds: 1 },
        ],
      },
    ]);
    assert.deepEqual(
      lines.lines.map((l) => [l.run, l.kind, parsePoints(l.points).length]),
      [
        ['A', 'train', 2],
        ['A', 'val', 2],
      ],
    );
  });

  it('has no page at the path of an API route, which the page would hide', () => {
    const routes = new Set<string>(ROUTES.map((route) => route.path));
    assert.deepEqual(
      Object.values(DASHBOARD_PAGES).filter((page) => routes.has(page.path)),
      [],
    );
  });

  it('serves both pages with their own scripts, the key written in safely', async () => {
    const runtime = createRuntime(smallConfig());
    const local = await startLocalApi({
      handlers: createHandlers(runtime),
      apiKeys: [KEY],
      port: 0,
      pages: dashboardPages({ apiKey: KEY }),
    });
    try {
      for (const [path, script] of [
        ['/runs.html', RUNS_SCRIPT_URL],
        ['/heldout.html', HELD_OUT_SCRIPT_URL],
      ] as const) {
        const page = await fetch(`${local.url}${path}`);
        const html = await page.text();
        assert.equal(page.status, 200, path);
        assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'nonce-/);
        assert.ok(html.includes(`src="${script}"`), path);
        assert.ok(html.includes('aria-current="page"'), `${path}: its own link marked`);
        const built = await fetch(`${local.url}${script}`);
        assert.equal(built.status, 200, script);
        assert.doesNotMatch(
          await built.text(),
          /\bimport\b|: HTMLElement/,
          `${script}: built for the browser`,
        );
      }
      assert.ok(pageHtml('runs', { apiKey: KEY, generated: true }, 'n').includes('"generated":true'));
    } finally {
      await local.close();
      await runtime.close();
    }
  });
});

describe('the runs and held-out pages in Chromium', { skip: browserMissing }, () => {
  let world: ServingWorld;
  let runtime: Runtime;
  let local: LocalApi;
  let browser: Browser;
  let missed: HeldOutForecasts;

  before(async () => {
    // Prepare: two published runs of BTC/USDT (other seeds) and one of ETH/USDT, recorded as the job
    // records them; a run the promotion gate refused; and a run whose held-out closes fell outside the
    // 95% interval twice, so that marks are certain to be drawn.
    world = await startServingWorld([PAIR, 'ETH/USDT']);
    await world.publish(PAIR);
    await world.publish(PAIR, 43);
    await world.publish('ETH/USDT');
    const backend = await selectBackend('auto');
    const gated = { ...world.config, validation: { ...world.config.validation, min_skill: 1 } };
    await new RunRecorder({
      records: world.records,
      config: gated,
      machine: thisMachine(backend),
      log: silentLog,
    })
      .run(PAIR, (observer) =>
        trainPair({ config: gated, pair: PAIR, store: world.store, backend, log: silentLog, observer }),
      )
      .catch(() => undefined);
    const [newest] = (await world.records.list({ subject: PAIR, last: 1 })).records;
    const kept = await world.records.newestHeldOut(PAIR);
    assert.ok(newest !== undefined && kept !== null);
    // Older than the others: the runs page's defaults (the newest two) stay real runs.
    const runId = newVersion(new Date(Date.now() - 3 * 3_600_000));
    missed = {
      ...kept,
      run_id: runId,
      hours: kept.hours.map((hour, i) =>
        i === 2
          ? { ...hour, close: hour.i95.upper * 1.002 }
          : i === 5
            ? { ...hour, close: hour.i95.lower * 0.998 }
            : hour,
      ),
    };
    await world.records.write(
      runRecordFixture({
        ...newest,
        run_id: runId,
        version: null,
        heldout_hours: missed.hours.length,
        outcome: {
          status: 'refused',
          gate: 'distribution',
          reason: 'a run written by the test, to mark misses',
        },
      }),
      missed,
    );
    runtime = createRuntime(world.config);
    local = await startLocalApi({
      handlers: createHandlers(runtime),
      apiKeys: [KEY],
      port: 0,
      pages: dashboardPages({ apiKey: KEY }),
    });
    browser = await launchChromium({ width: 1280, height: 1000 });
  });

  after(async () => {
    await browser?.close();
    await local?.close();
    await runtime?.close();
    await world?.close();
  });

  /** A page opened at `path` and ready, and what went wrong in it. */
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    await page.goto(`${local.url}${path}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    return { page, problems };
  }

  it('lists the runs, draws the learning curves of A and B as the API has them, and compares the two', async (t) => {
    // Act
    const { page, problems } = await open(`/runs.html?pair=${encodeURIComponent(PAIR)}`);
    const shot = join(tmpdir(), `runs-page-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    const { runs }: RunsResponse = await api(
      local.url,
      '/runs?currency=BTC&compare=USDT&last=20',
      RunsResponseSchema,
    );
    const rows = await page.$$eval('table.runs tbody tr', (nodes) =>
      nodes.map((node) => ({
        run: node.getAttribute('data-run') ?? '',
        outcome: node.querySelector('td.outcome')?.textContent ?? '',
        a: (node.querySelector('input[name="run-a"]') as HTMLInputElement | null)?.checked ?? false,
        b: (node.querySelector('input[name="run-b"]') as HTMLInputElement | null)?.checked ?? false,
      })),
    );
    const drawn = await page.$eval('#curves svg.plot', (svg) => ({
      attributes: Object.fromEntries([...svg.attributes].map((a) => [a.name, a.value])),
      lines: [...svg.querySelectorAll('polyline.curve')].map((line) => ({
        run: line.getAttribute('data-run') ?? '',
        kind: line.getAttribute('data-kind') ?? '',
        points: line.getAttribute('points') ?? '',
      })),
      best: [...svg.querySelectorAll('circle.best')].map((c) => ({
        run: c.getAttribute('data-run') ?? '',
        cx: Number(c.getAttribute('cx')),
        cy: Number(c.getAttribute('cy')),
      })),
    }));
    const figures = await page.$$eval('#comparison table.figures tbody tr', (nodes) =>
      nodes.map((node) => [...node.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    const settings = await page.$$eval('#comparison table.settings tbody tr', (nodes) =>
      nodes.map((node) => [...node.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    const label = await page.locator('p.generated').textContent();

    // Assess: every run in the API's order, the refused ones with their reason
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rows.map((r) => r.run),
      runs.map((r) => r.run_id),
    );
    const refused = runs.filter((r) => r.outcome.status === 'refused');
    assert.ok(refused.length >= 1);
    for (const run of refused) {
      const row = rows.find((r) => r.run === run.run_id);
      assert.ok(run.outcome.status === 'refused' && row?.outcome.includes(run.outcome.reason), run.run_id);
    }
    // A and B: the two newest runs with a learning curve, B the newest
    const trained = runs.filter((r) => r.training !== null);
    const [b, a] = trained as [RunsResponse['runs'][number], RunsResponse['runs'][number]];
    assert.deepEqual(
      rows.filter((r) => r.a || r.b).map((r) => [r.run, r.a ? 'A' : 'B']),
      [
        [b.run_id, 'B'],
        [a.run_id, 'A'],
      ],
    );
    // The curves: each drawn point is where the API's loss of that epoch maps to
    const { x, y } = scalesOf(drawn.attributes);
    assert.equal(drawn.lines.length, 4, 'training and validation loss of A and of B');
    for (const [run, record] of [
      ['A', a],
      ['B', b],
    ] as const) {
      const epochs = record.training?.epochs ?? [];
      for (const kind of ['train', 'val'] as const) {
        const line = drawn.lines.find((l) => l.run === run && l.kind === kind);
        assert.ok(line, `${run} ${kind}`);
        const points = parsePoints(line.points);
        assert.equal(points.length, epochs.length, `${run} ${kind}: a point per epoch`);
        points.forEach(([px, py], i) => {
          const epoch = epochs[i];
          assert.ok(epoch !== undefined);
          const loss = kind === 'train' ? epoch.train_loss : epoch.val_loss;
          assert.ok(drawnAt(px, x, epoch.epoch), `${run} ${kind} epoch ${epoch.epoch}: x ${px}`);
          assert.ok(drawnAt(py, y, loss), `${run} ${kind} epoch ${epoch.epoch}: y ${py} for ${loss}`);
        });
      }
      const best = drawn.best.find((d) => d.run === run);
      const bestEpoch = record.training?.epochs.find((e) => e.epoch === record.training?.best_epoch);
      assert.ok(best !== undefined && bestEpoch !== undefined);
      assert.ok(
        drawnAt(best.cx, x, bestEpoch.epoch) && drawnAt(best.cy, y, bestEpoch.val_loss),
        `${run}: best epoch`,
      );
    }
    // The comparison: the API's figures as the page formats them, and the settings that differ
    const comparison = compareRuns(a, b);
    assert.deepEqual(
      figures,
      comparison.figures.map((row) => [
        row.spec.label,
        formatFigure(row.spec, row.a),
        formatFigure(row.spec, row.b),
      ]),
    );
    assert.deepEqual(
      settings,
      comparison.differing.map((row) => [row.key, row.a ?? '(none)', row.b ?? '(none)']),
    );
    // B is the refused run (seed 42, min_skill 1), A the second published one (seed 43)
    assert.equal(b.outcome.status, 'refused');
    assert.deepEqual(
      settings.map(([key]) => key),
      ['training.seed', 'validation.min_skill'],
    );
    // The candles came from the fake exchange: generated, and labelled so
    assert.ok(a.data !== null && isGeneratedSource(a.data.source));
    assert.equal(label, GENERATED_LABEL);
    await page.close();
  });

  it('compares the runs chosen in the table', async () => {
    // Prepare
    const { page } = await open(`/runs.html?pair=${encodeURIComponent(PAIR)}`);
    const { runs } = await api(local.url, '/runs?currency=BTC&compare=USDT&last=20', RunsResponseSchema);
    const oldest = runs.filter((r) => r.training !== null).at(-1);
    assert.ok(oldest !== undefined);

    // Act
    await page.check(`tr[data-run="${oldest.run_id}"] input[name="run-a"]`);

    // Assess
    await page.waitForSelector(`#comparison h2:has-text("A ${oldest.run_id}")`);
    const lines = await page.$$eval('#curves polyline.curve[data-run="A"]', (nodes) =>
      nodes.map((node) => node.getAttribute('points')?.trim().split(/\s+/).length ?? 0),
    );
    assert.deepEqual(lines, [oldest.training?.epochs.length, oldest.training?.epochs.length]);
    await page.close();
  });

  it("draws a run's held-out fan as the API answers it: bands, closes, every miss marked, coverage in words", async (t) => {
    // Act
    const { page, problems } = await open(
      `/heldout.html?pair=${encodeURIComponent(PAIR)}&run=${missed.run_id}`,
    );
    const shot = join(tmpdir(), `heldout-page-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    const answer: HeldOutResponse = await api(
      local.url,
      `/heldout?currency=BTC&compare=USDT&run=${missed.run_id}&last=500`,
      HeldOutResponseSchema,
    );
    const drawn = await page.$eval('#fan svg.plot', (svg) => ({
      attributes: Object.fromEntries([...svg.attributes].map((a) => [a.name, a.value])),
      bands: Object.fromEntries(
        [...svg.querySelectorAll('polygon.band')].map((p) => [
          p.getAttribute('class') ?? '',
          p.getAttribute('points') ?? '',
        ]),
      ),
      closes: svg.querySelector('polyline.closes')?.getAttribute('points') ?? '',
      median: svg.querySelector('polyline.median')?.getAttribute('points') ?? '',
      misses: [...svg.querySelectorAll('circle.miss')].map((c) => ({
        time: c.getAttribute('data-open-time') ?? '',
        cx: Number(c.getAttribute('cx')),
        cy: Number(c.getAttribute('cy')),
      })),
    }));
    const words = await page.locator('p.coverage').textContent();
    const label = await page.locator('p.generated').textContent();

    // Assess
    assert.deepEqual(problems, []);
    assert.equal(answer.hours.length, missed.hours.length);
    const { x, y } = scalesOf(drawn.attributes);
    const times = answer.hours.map((h) => Date.parse(h.open_time));
    const n = answer.hours.length;
    // A band's polygon runs along its upper edge, then back along its lower one
    const edges = (
      name: string,
      lower: (h: HeldOutHour) => number,
      upper: (h: HeldOutHour) => number,
    ): void => {
      const points = parsePoints(drawn.bands[`band ${name}`] ?? '');
      assert.equal(points.length, 2 * n, `${name}: two points per hour`);
      answer.hours.forEach((hour, i) => {
        const top = points[i] as [number, number];
        const bottom = points[2 * n - 1 - i] as [number, number];
        assert.ok(
          drawnAt(top[0], x, times[i] ?? NaN) && drawnAt(top[1], y, upper(hour)),
          `${name} upper ${hour.open_time}`,
        );
        assert.ok(drawnAt(bottom[1], y, lower(hour)), `${name} lower ${hour.open_time}`);
      });
    };
    edges(
      'i95',
      (h) => h.i95.lower,
      (h) => h.i95.upper,
    );
    edges(
      'i90',
      (h) => h.quantiles.p05,
      (h) => h.quantiles.p95,
    );
    edges(
      'i50',
      (h) => h.quantiles.p25,
      (h) => h.quantiles.p75,
    );
    const closes = parsePoints(drawn.closes);
    const median = parsePoints(drawn.median);
    answer.hours.forEach((hour, i) => {
      assert.ok(drawnAt(closes[i]?.[1] ?? NaN, y, hour.close), `close ${hour.open_time}`);
      assert.ok(drawnAt(median[i]?.[1] ?? NaN, y, hour.quantiles.p50), `median ${hour.open_time}`);
    });
    // Every close outside the 95% interval marked where it is, and only those
    assert.deepEqual(
      drawn.misses.map((m) => m.time),
      answer.coverage.outside_i95,
    );
    assert.ok(answer.coverage.outside_i95.length >= 2, 'the two closes the test moved outside');
    for (const miss of drawn.misses) {
      const hour = answer.hours.find((h) => h.open_time === miss.time);
      assert.ok(hour !== undefined);
      assert.ok(
        drawnAt(miss.cx, x, Date.parse(hour.open_time)) && drawnAt(miss.cy, y, hour.close),
        miss.time,
      );
    }
    assert.equal(words, coverageWords(answer.coverage));
    assert.equal(label, GENERATED_LABEL);
    await page.close();
  });

  it("opens on the pair's newest run that kept its held-out hours, and draws what a real run kept", async () => {
    // Act
    const { page, problems } = await open('/heldout.html?pair=ETH%2FUSDT');
    const shown = await page.locator('#fan').getAttribute('data-run');
    const marks = await page.locator('#fan circle.miss').count();
    const words = await page.locator('p.coverage').textContent();

    // Assess
    assert.deepEqual(problems, []);
    const answer = await api(local.url, '/heldout?currency=ETH&compare=USDT&last=500', HeldOutResponseSchema);
    assert.equal(shown, answer.run_id);
    assert.equal(marks, answer.coverage.outside_i95.length);
    assert.equal(words, coverageWords(answer.coverage));
    await page.close();
  });
});

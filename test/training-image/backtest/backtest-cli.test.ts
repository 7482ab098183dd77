import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Candle } from '../../../core/market/index.js';
import { BacktestReportSchema, type BacktestReport } from '../../../training-image/src/backtest/schema.js';
import { hourlyCandles, writeCandlesCsv } from '../../support/candles-csv.js';
import { findAll, parseXml } from '../../support/xml.js';
import { ROOT, runTsCli, type CliRun } from '../../support/run-cli.js';
import { writeConfDir } from '../conf-dir.js';

const ENTRY = join(ROOT, 'training-image/src/cli/backtest.ts');
const HOUR = 3_600_000;
const FOLDS = 3;
const TEST_HOURS = 24;
const SEQUENCE = 12;

/** `npm run backtest -- ...` without npm: the same file run with node and tsx. */
function runBacktestCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return runTsCli(ENTRY, args, env, 180_000);
}

describe('npm run backtest (walk-forward)', () => {
  let dir: string;
  let env: Record<string, string>;
  let candles: Candle[];
  let run: CliRun;
  let report: BacktestReport;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backtest-cli-'));
    // A configuration folder with the real base and a tiny environment over it.
    const conf = await writeConfDir(dir, {
      tiny: [
        `features: { sequence_length: ${SEQUENCE} }`,
        'training: { hidden_size: 6, max_epochs: 2, train_batch_size: 32 }',
        'distribution: { network: { sequence_hours: 8 } }',
      ],
    });
    env = { MUR_CONF_DIR: conf, LOG_FORMAT: 'text' };
    candles = hourlyCandles(400, 21);
    await writeCandlesCsv(join(dir, 'candles.csv'), candles);

    run = await runBacktestCli(
      [
        ...['--pair', 'BTC/USDT', '--candles', join(dir, 'candles.csv'), '--env', 'tiny'],
        ...['--folds', String(FOLDS), '--test-hours', String(TEST_HOURS), '--out', join(dir, 'out')],
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    report = BacktestReportSchema.parse(JSON.parse(run.stdout));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON report on stdout and writes the same beside the chart', async () => {
    const written: unknown = JSON.parse(
      await readFile(join(dir, 'out/backtest-BTC_USDT-tiny-residual.json'), 'utf8'),
    );

    assert.deepEqual(BacktestReportSchema.parse(written), report);
    assert.equal(report.pair, 'BTC/USDT');
    assert.equal(report.env, 'tiny');
    assert.equal(report.model.target_mode, 'residual');
    assert.equal(report.model.sequence_length, SEQUENCE);
    assert.equal(report.folds.length, FOLDS);
    assert.equal(report.plan.candles, candles.length);
    assert.match(
      run.stderr,
      /wrote .*backtest-BTC_USDT-tiny-residual\.json and .*backtest-BTC_USDT-tiny-residual\.svg/,
    );
  });

  it('logs every fold and every epoch on stderr', () => {
    for (let fold = 1; fold <= FOLDS; fold++) {
      assert.match(run.stderr, new RegExp(`BTC/USDT fold ${fold}/${FOLDS}: training on`));
      for (const epoch of [1, 2]) {
        assert.match(run.stderr, new RegExp(`BTC/USDT fold ${fold}/${FOLDS} epoch ${epoch}/2: train loss`));
      }
      assert.match(run.stderr, new RegExp(`BTC/USDT fold ${fold}/${FOLDS}: skill -?\\d`));
      const d = report.folds[fold - 1]!.distribution;
      assert.match(
        run.stderr,
        new RegExp(
          `BTC/USDT fold ${fold}/${FOLDS}: skill .*distribution CRPS skill vs B1 [+-]${Math.abs(100 * d.model.crps_skill).toFixed(2)}%, 90% interval covers ${d.model.coverage_pct.i90.toFixed(1)}%`,
        ),
      );
    }
    assert.match(run.stderr, /BTC\/USDT: overall skill -?\d.*distribution CRPS [\d.]+ bp vs B1 [\d.]+ bp/);
  });

  it('slides the training window by the test period and forecasts every hour once', () => {
    const time = (iso: string): number => Date.parse(iso);
    const first = candles[0]!.openTime;
    const trainRows = candles.length - FOLDS * TEST_HOURS - SEQUENCE;
    report.folds.forEach((fold, k) => {
      assert.equal(fold.fold, k + 1);
      assert.equal(fold.train.rows, trainRows);
      assert.equal(
        time(fold.train.first_open_time),
        first + k * TEST_HOURS * HOUR,
        'slides by the test period',
      );
      assert.equal(time(fold.train.last_open_time), first + (k * TEST_HOURS + trainRows - 1) * HOUR);
      assert.equal(fold.test.windows, TEST_HOURS);
      assert.equal(fold.metrics.windows, TEST_HOURS);
      assert.equal(time(fold.test.last_open_time) - time(fold.test.first_open_time), (TEST_HOURS - 1) * HOUR);
      assert.ok(
        time(fold.test.first_open_time) > time(fold.train.last_open_time),
        'forecasts follow training',
      );
      const next = report.folds[k + 1];
      if (next !== undefined) {
        assert.equal(
          time(next.test.first_open_time),
          time(fold.test.last_open_time) + HOUR,
          'test periods neither overlap nor leave a gap',
        );
      }
    });
    assert.equal(report.overall.test.windows, FOLDS * TEST_HOURS);
    assert.equal(report.overall.test.first_open_time, report.folds[0]?.test.first_open_time);
    assert.equal(time(report.overall.test.last_open_time), candles.at(-1)!.openTime);
  });

  it('scores every fold beside the naive MAE of the closes in the CSV', async () => {
    // Read back from the file, as the CLI did, and computed here without the pipeline's code.
    const rows = (await readFile(join(dir, 'candles.csv'), 'utf8')).trim().split('\n').slice(1);
    const closes = new Map(rows.map((row) => row.split(',').map(Number)).map((f) => [f[0]!, f[4]!] as const));
    const naiveMae = (firstIso: string, count: number): number => {
      let sum = 0;
      for (let h = 0; h < count; h++) {
        const t = Date.parse(firstIso) + h * HOUR;
        sum += Math.abs(closes.get(t)! - closes.get(t - HOUR)!);
      }
      return sum / count;
    };
    const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

    for (const fold of report.folds) {
      const expected = naiveMae(fold.test.first_open_time, TEST_HOURS);
      assert.ok(
        near(fold.metrics.naive_mae, expected),
        `fold ${fold.fold}: ${fold.metrics.naive_mae} vs ${expected}`,
      );
      assert.ok(near(fold.metrics.skill, 1 - fold.metrics.mae / fold.metrics.naive_mae));
    }
    const overall = naiveMae(report.overall.test.first_open_time, FOLDS * TEST_HOURS);
    assert.ok(near(report.overall.metrics.naive_mae, overall));
    assert.equal(report.overall.folds_beating_naive, report.folds.filter((f) => f.metrics.skill > 0).length);
  });

  it('draws the last fold and every fold’s skill in a well-formed SVG', async () => {
    const svg = parseXml(await readFile(join(dir, 'out/backtest-BTC_USDT-tiny-residual.svg'), 'utf8'));

    assert.equal(svg.name, 'svg');
    const title = findAll(svg, 'title')[0]?.text ?? '';
    assert.match(title, /BTC\/USDT/);
    assert.match(title, /residual/);
    assert.ok(title.includes(report.overall.metrics.skill.toFixed(3)), title);
    const polylines = findAll(svg, 'polyline').filter((p) =>
      ['actual', 'naive', 'predicted'].includes(p.attributes['class'] ?? ''),
    );
    assert.equal(polylines.length, 3);
    for (const line of polylines) {
      assert.equal((line.attributes['points'] ?? '').trim().split(/\s+/).length, TEST_HOURS);
    }
    const bars = findAll(svg, 'rect').filter((r) => (r.attributes['class'] ?? '').startsWith('bar'));
    assert.equal(bars.length, FOLDS + 1, 'one bar per fold and the pooled one');
    assert.equal(findAll(svg, 'line').filter((l) => l.attributes['class'] === 'zero').length, 1);
  });

  it('draws the last fold’s served 80% and 95% intervals and the pooled calibration plot', async () => {
    const svg = parseXml(await readFile(join(dir, 'out/backtest-BTC_USDT-tiny-residual.svg'), 'utf8'));
    const byClass = (name: string, cls: string) =>
      findAll(svg, name).filter((e) => (e.attributes['class'] ?? '').split(' ').includes(cls));

    for (const band of ['band-80', 'band-95']) {
      const [polygon, ...more] = byClass('polygon', band);
      assert.ok(polygon && more.length === 0, band);
      assert.equal((polygon.attributes['points'] ?? '').trim().split(/\s+/).length, 2 * TEST_HOURS);
    }
    assert.equal(byClass('polyline', 'fan-actual').length, 1);
    const last = report.folds.at(-1)!.distribution.model.coverage_pct.i95;
    assert.equal(byClass('circle', 'miss').length, Math.round(((100 - last) / 100) * TEST_HOURS));
    assert.equal(byClass('line', 'diagonal').length, 1);
    const levels = report.overall.distribution.coverage_curve.length;
    for (const curve of ['model', 'uncalibrated', 'b1']) {
      assert.equal(byClass('circle', curve).length, levels, curve);
    }
    const texts = findAll(svg, 'text').map((t) => t.text);
    assert.ok(texts.some((t) => t.startsWith('Calibration: do the intervals hold what they claim?')));
    assert.ok(texts.includes('Linear comparator: the served scale is the linear correction'));
  });

  it('carries the distribution of every fold and pooled over all of them in the JSON', () => {
    const pooled = report.overall.distribution;
    assert.equal(pooled.windows, FOLDS * TEST_HOURS);
    assert.equal(pooled.b1.crps_skill, 0);
    const mean = report.folds.reduce((sum, f) => sum + f.distribution.model.crps_bp, 0) / FOLDS;
    assert.ok(Math.abs(pooled.model.crps_bp - mean) <= 1e-9 * mean, 'equal folds: the plain mean');
    for (const fold of report.folds) {
      assert.equal(fold.distribution.windows, TEST_HOURS);
      assert.equal(fold.distribution.b1.crps_skill, 0);
      assert.ok(fold.distribution.model.crps_bp > 0);
    }
    assert.equal(report.schema_version, 2);
  });

  it('exits 1 with a one-line reason when the candles are too few for the folds', async () => {
    await writeCandlesCsv(join(dir, 'few.csv'), candles.slice(0, 100));

    const failed = await runBacktestCli(
      [
        '--pair',
        'BTC/USDT',
        '--candles',
        join(dir, 'few.csv'),
        '--env',
        'tiny',
        '--folds',
        '3',
        '--test-hours',
        '30',
      ],
      env,
    );

    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, '');
    const last = failed.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(last, /^backtest: walk-forward backtest needs at least \d+ candles .* got 100: .*--folds/);
  });

  it('refuses a --folds that is not a whole number, naming it', async () => {
    const failed = await runBacktestCli(['--pair', 'BTC/USDT', '--folds', 'two'], env);

    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /--folds/);
    assert.equal(failed.stdout, '');
  });
});

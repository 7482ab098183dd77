import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ScaleBacktestReportSchema,
  SCALE_MODELS,
  type ScaleBacktestReport,
} from '../../../training-image/src/backtest/scale/schema.js';
import { hourlyCandles, writeCandlesCsv } from '../../support/candles-csv.js';
import { ROOT, runTsCli, type CliRun } from '../../support/run-cli.js';

const ENTRY = join(ROOT, 'training-image/src/cli/backtest-scale.ts');
const SMALL = ['--folds', '2', '--test-hours', '48', '--calibration-hours', '48', '--min-fit-hours', '200'];

describe('npm run backtest:scale', () => {
  let dir: string;
  let run: CliRun;
  let report: ScaleBacktestReport;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backtest-scale-'));
    // 721 candles of history before the first window, then 200 fit + 48 calibration + 2 x 48 test.
    await writeCandlesCsv(join(dir, 'candles.csv'), hourlyCandles(1100, 5));
    run = await runTsCli(
      ENTRY,
      ['--candles', join(dir, 'candles.csv'), ...SMALL, '--out', join(dir, 'r.json')],
      {},
    );
    report = ScaleBacktestReportSchema.parse(JSON.parse(run.stdout));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a report of every model per fold and pooled, and writes the same to --out', async () => {
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.folds.length, 2);
    assert.deepEqual(Object.keys(report.pooled), [...SCALE_MODELS]);
    assert.equal(report.pooled.B1.crps_skill, 0);
    assert.equal(report.pooled.B1.scores.windows, 96);
    assert.equal(report.folds[1]!.fit_windows, report.folds[0]!.fit_windows + 48);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')), JSON.parse(run.stdout));
  });

  it('says how many candles the folds need when the file is too short', async () => {
    const short = await runTsCli(
      ENTRY,
      ['--candles', join(dir, 'candles.csv'), ...SMALL, '--folds', '9'],
      {},
    );
    assert.equal(short.code, 1);
    assert.match(short.stderr, /need \d+ forecastable windows; the candles give \d+/);
  });

  it('rejects degrees of freedom a unit-variance Student-t cannot have', async () => {
    const bad = await runTsCli(ENTRY, ['--candles', join(dir, 'candles.csv'), '--nu', '2'], {});
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--nu.*above 2/);
  });
});

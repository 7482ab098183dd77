import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pair } from '../../../core/config/index.js';
import type { Candle } from '../../../core/market/index.js';
import { runPanelFold, type PanelFoldResult } from '../../../training-image/src/backtest/panel/fold.js';
import { planPanelFolds } from '../../../training-image/src/backtest/panel/plan.js';
import { networkSettings } from '../../../training-image/src/scale/settings.js';
import { PanelBacktestReportSchema } from '../../../training-image/src/backtest/panel/schema.js';
import { silentLog } from '../../../training-image/src/log.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { hourlyCandles, writeCandlesCsv } from '../../support/candles-csv.js';
import { runTsCli } from '../../support/run-cli.js';
import { writeConfDir } from '../conf-dir.js';
import { smallConfig } from '../../support/small-config.js';

const PAIRS: Pair[] = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
const HOURS = 600;
const config = smallConfig();

function panel(): { pair: Pair; candles: Candle[] }[] {
  return PAIRS.map((pair, k) => ({ pair, candles: hourlyCandles(HOURS, 40 + k) }));
}

const { folds } = planPanelFolds({
  hours: HOURS,
  folds: 2,
  testHours: 48,
  windowLength: config.features.sequence_length,
  valSize: config.features.val_size,
});

function run(
  series: { pair: Pair; candles: Candle[] }[],
  fold = folds[0]!,
  holdOut: Pair[] = [],
): PanelFoldResult {
  const result = runPanelFold(series, fold, {
    distribution: config.distribution,
    windowLength: config.features.sequence_length,
    settings: networkSettings(config),
    holdOut,
    log: silentLog,
  });
  // Timings differ from run to run; everything else must not.
  return { ...result, network: { ...result.network, seconds: 0, sequencesPerSecond: 0 } };
}

function poisoned(series: { pair: Pair; candles: Candle[] }[], pair: number, row: number) {
  return series.map((s, k) => {
    if (k !== pair) return s;
    const candles = s.candles.map((c) => ({ ...c }));
    const c = candles[row]!;
    candles[row] = { ...c, close: c.close * 50, high: c.high * 50, volume: c.volume * 1_000 };
    return { ...s, candles };
  });
}

describe('panel backtest', () => {
  before(async () => {
    await selectBackend('auto');
  });

  it('cuts every pair at the fold: a poisoned candle after the cut, in any pair, changes nothing in the fold', () => {
    const fold = folds[0]!;
    const clean = run(panel());
    for (const pair of [0, 1, 2]) {
      assert.deepEqual(
        run(poisoned(panel(), pair, fold.end)),
        clean,
        `pair ${PAIRS[pair]} poisoned at row ${fold.end}`,
      );
    }
    // The same poison inside the fold's training rows does reach it: the comparison above can fail.
    assert.notDeepEqual(run(poisoned(panel(), 1, fold.start + 40)), clean);
  });

  it('never lets a test window change a choice: only validation windows take part', () => {
    const fold = folds[1]!;
    const clean = run(panel(), fold);
    // Every test hour of ETH/USDT moved: its scores change, no pair's choice may.
    const series = panel();
    const eth = series[1]!;
    const firstTestRow = fold.start + fold.test.first + 1;
    const moved = {
      ...eth,
      candles: eth.candles.map((c, row) =>
        row >= firstTestRow && row < fold.end
          ? { ...c, close: c.close * (1 + 0.01 * Math.sin(row)), high: c.high * 1.02 }
          : c,
      ),
    };
    const changed = run([series[0]!, moved, series[2]!], fold);
    assert.deepEqual(
      changed.pairs.map((p) => p.choice),
      clean.pairs.map((p) => p.choice),
    );
    assert.notDeepEqual(changed.pairs[1]!.scores, clean.pairs[1]!.scores);
  });

  it('serves a pair left out of training with the network, and says it was not trained on it', () => {
    const result = run(panel(), folds[0]!, ['SOL/USDT']);
    const sol = result.pairs.find((p) => p.pair === 'SOL/USDT')!;
    assert.equal(sol.trained, false);
    assert.equal(sol.choice.served, 'shared_network');
    assert.deepEqual(sol.scores.served, sol.scores.network);
    // Trained on the other two pairs' windows only.
    assert.equal(result.network.trainWindows, 2 * folds[0]!.train.count);
  });

  describe('npm run backtest:panel', () => {
    let dir: string;
    let env: Record<string, string>;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'panel-cli-'));
      const conf = await writeConfDir(dir, {
        tiny: [
          'features: { sequence_length: 12 }',
          'distribution: { network: { sequence_hours: 8, hidden_size: 4, members: 2, max_epochs: 2 } }',
        ],
      });
      for (const [k, pair] of PAIRS.entries()) {
        await writeCandlesCsv(join(dir, `${pair.split('/')[0]}.csv`), hourlyCandles(HOURS, 40 + k));
      }
      env = { MUR_CONF_DIR: conf, LOG_FORMAT: 'text' };
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reports per pair and pooled, prints the table and writes the report', async () => {
      const { code, stdout, stderr } = await runTsCli(
        'training-image/src/cli/backtest-panel.ts',
        [
          '--env',
          'tiny',
          '--candles',
          PAIRS.map((p) => join(dir, `${p.split('/')[0]}.csv`)).join(','),
          '--pairs',
          PAIRS.join(','),
          '--folds',
          '2',
          '--test-hours',
          '48',
          '--hold-out',
          'SOL/USDT',
          '--out',
          join(dir, 'out'),
        ],
        env,
      );
      assert.equal(code, 0, stderr);
      assert.match(stderr, /fold 2\/2 in/);
      const report = PanelBacktestReportSchema.parse(
        JSON.parse(await readFile(join(dir, 'out', 'panel-3-pairs-tiny-without-SOL_USDT.json'), 'utf8')),
      );
      assert.deepEqual(report.held_out, ['SOL/USDT']);
      assert.equal(report.folds.length, 2);
      assert.equal(report.pooled.trained_pairs, 2);
      assert.equal(report.per_pair.find((p) => p.pair === 'SOL/USDT')!.network_served_folds, 2);
      assert.equal(report.pooled.models.served.scores.windows, 2 * 2 * 48);
      assert.match(stdout, /\| SOL\/USDT \(held out\) \| 2 of 2 \|/);
      assert.match(stdout, /\*\*pooled \(2 trained pairs\)\*\*/);
    });

    it('names the pair and the flag when --hold-out is not in the panel', async () => {
      const { code, stderr } = await runTsCli(
        'training-image/src/cli/backtest-panel.ts',
        [
          '--env',
          'tiny',
          '--candles',
          join(dir, 'BTC.csv'),
          '--pairs',
          'BTC/USDT',
          '--hold-out',
          'DOGE/USDT',
          '--folds',
          '1',
          '--test-hours',
          '48',
        ],
        env,
      );
      assert.equal(code, 1);
      assert.match(stderr, /--hold-out DOGE\/USDT is not one of the panel's pairs \(BTC\/USDT\)/);
    });
  });
});

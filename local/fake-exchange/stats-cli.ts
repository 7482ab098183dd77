import { basename } from 'node:path';
import { parseArgs } from 'node:util';

import { HOUR_MS, type Candle } from '../../core/market/candle.js';
import { readCandlesCsv } from '../../adapters/market/csv-source.js';
import { DEFAULT_MARKETS } from './binance-format.js';
import { DEMO_MARKET } from './demo-market.js';
import {
  kurtosisWithout,
  logReturnsBySlot,
  marketStatistics,
  returnCorrelation,
} from './market-statistics.js';
import { marketWalk } from './random-walk.js';

// The statistics the demo market is configured by (docs/demo-market.md), measured on CSV files of hourly
// candles (any layout the project reads) or on the demo market itself, as the fake exchange serves it:
//   npx tsx local/fake-exchange/stats-cli.ts ../shared/data/*.csv
//   npx tsx local/fake-exchange/stats-cli.ts --demo --hours 200000 --seed 42
//   npx tsx local/fake-exchange/stats-cli.ts --demo --hours 200000 --sweep 20   (seeds 1 to 20, first pair)
//   npx tsx local/fake-exchange/stats-cli.ts --trim 3 ../shared/data/*.csv      (and the kurtosis without
//                                                                               the 3 largest moves)
// Prints markdown tables: one row per series, then each pair's return correlation; with --sweep, each
// seed's relative error against the configured figures, then the worst and the RMS.
const USAGE =
  'usage: tsx local/fake-exchange/stats-cli.ts [--trim N] FILE.csv... | --demo [--hours 100000] [--seed 42 | --sweep N] [--pairs BTCUSDT,ETHUSDT,CHZUSDT] [--trim N]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    demo: { type: 'boolean' },
    hours: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    sweep: { type: 'string' },
    trim: { type: 'string' },
    pairs: { type: 'string', default: 'BTCUSDT,ETHUSDT,CHZUSDT' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true || (values.demo !== true && positionals.length === 0)) {
  console.log(USAGE);
  process.exit(values.help === true ? 0 : 2);
}

const f = (value: number, digits = 3): string => value.toFixed(digits);
const hours = Number(values.hours);

/** The fake exchange's own walk of `symbol`, as it would serve it from 2020-01-01 with exchange seed `seed`. */
function demoCandles(symbol: string, seed: number): Candle[] {
  const market = DEFAULT_MARKETS.find((m) => m.symbol === symbol);
  if (market === undefined) {
    console.error(`--pairs: ${symbol} is not one of ${DEFAULT_MARKETS.map((m) => m.symbol).join(', ')}`);
    process.exit(2);
  }
  const walk = marketWalk({
    seed,
    market,
    interval: '1h',
    timeframeMs: HOUR_MS,
    start: Date.UTC(2020, 0, 1),
  });
  return Array.from({ length: hours }, (_, k) => walk.candle(k));
}

if (values.demo === true && values.sweep !== undefined) {
  const symbol = values.pairs.split(',')[0] ?? 'BTCUSDT';
  const keys = ['kurtosis', 'absAcf1', 'absAcf24', 'hourRatio'] as const;
  const errors: Record<(typeof keys)[number], number>[] = [];
  console.log(`| seed (${symbol}, ${hours} hours) | ${keys.join(' | ')} |`);
  console.log(`| --- |${' --- |'.repeat(keys.length)}`);
  for (let seed = 1; seed <= Number(values.sweep); seed++) {
    const stats = marketStatistics(demoCandles(symbol, seed));
    const error = Object.fromEntries(keys.map((key) => [key, stats[key] / DEMO_MARKET[key] - 1])) as Record<
      (typeof keys)[number],
      number
    >;
    errors.push(error);
    console.log(`| ${seed} | ${keys.map((key) => `${f(100 * error[key], 1)}%`).join(' | ')} |`);
  }
  const worst = keys.map((key) => Math.max(...errors.map((e) => Math.abs(e[key]))));
  const rms = keys.map((key) => Math.sqrt(errors.reduce((sum, e) => sum + e[key] ** 2, 0) / errors.length));
  console.log(`| worst | ${worst.map((w) => `${f(100 * w, 1)}%`).join(' | ')} |`);
  console.log(`| RMS | ${rms.map((r) => `${f(100 * r, 1)}%`).join(' | ')} |`);
  process.exit(0);
}

const series: { name: string; candles: Candle[] }[] = [];
if (values.demo === true) {
  for (const symbol of values.pairs.split(',')) {
    series.push({ name: `demo ${symbol}`, candles: demoCandles(symbol, Number(values.seed)) });
  }
} else {
  for (const path of positionals) {
    series.push({ name: basename(path), candles: await readCandlesCsv(path, { timeframeMs: HOUR_MS }) });
  }
}

// The kurtosis of the returns without the `--trim` largest moves, to show how few hours decide it.
const trim = values.trim === undefined ? null : Number(values.trim);
console.log(
  `| series | hours | sd of r (%) | ACF abs r lag 1 / 24 | ACF r^2 lag 1 / 24 | busiest / quietest hour (UTC) | hour ratio | kurtosis | corr(ln vol, ln range) | corr(ln vol, abs r) |${trim === null ? '' : ` kurtosis without the ${trim} largest |`}`,
);
console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |${trim === null ? '' : ' --- |'}`);
for (const { name, candles } of series) {
  const s = marketStatistics(candles);
  const trimmed =
    trim === null
      ? ''
      : ` ${f(
          kurtosisWithout(
            [...logReturnsBySlot(candles).returns].filter((r) => !Number.isNaN(r)),
            trim,
          ),
          1,
        )} |`;
  console.log(
    `| ${name} | ${s.returns} | ${f(100 * s.volatility)} | ${f(s.absAcf1)} / ${f(s.absAcf24)} | ${f(s.squaredAcf1)} / ${f(s.squaredAcf24)} | ${s.busiestHour} / ${s.quietestHour} | ${f(s.hourRatio, 2)} | ${f(s.kurtosis, 1)} | ${f(s.volumeRangeCorrelation)} | ${f(s.volumeAbsReturnCorrelation)} |${trimmed}`,
  );
}
if (series.length > 1) {
  console.log('\n| pair | common hours | return correlation |');
  console.log('| --- | --- | --- |');
  for (let i = 0; i < series.length; i++) {
    for (let j = i + 1; j < series.length; j++) {
      const a = series[i] as (typeof series)[number];
      const b = series[j] as (typeof series)[number];
      const { correlation, returns } = returnCorrelation(a.candles, b.candles);
      if (returns > 0) console.log(`| ${a.name} ~ ${b.name} | ${returns} | ${f(correlation)} |`);
    }
  }
}

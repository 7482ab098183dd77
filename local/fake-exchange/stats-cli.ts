import { basename } from 'node:path';
import { parseArgs } from 'node:util';

import { HOUR_MS } from '../../core/market/candle.js';
import { readCandlesCsv } from '../../core/market/csv-source.js';
import { marketStatistics, returnCorrelation } from './market-statistics.js';
import { DEFAULT_MARKETS } from './binance-format.js';
import { marketWalk } from './random-walk.js';

// The statistics the demo market is configured by, measured on CSV files of hourly candles (any layout the
// project reads) or, with --demo, on the demo market itself:
//   npx tsx local/fake-exchange/stats-cli.ts ../shared/data/*.csv
//   npx tsx local/fake-exchange/stats-cli.ts --demo --hours 100000 --seed 42
// Prints a markdown table (one row per file, then each pair's return correlation); docs/demo-market.md
// quotes it.
const USAGE =
  'usage: tsx local/fake-exchange/stats-cli.ts FILE.csv... | --demo [--hours 100000] [--seed 42] [--pairs BTCUSDT,ETHUSDT,CHZUSDT]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    demo: { type: 'boolean' },
    hours: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    pairs: { type: 'string', default: 'BTCUSDT,ETHUSDT,CHZUSDT' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true || (values.demo !== true && positionals.length === 0)) {
  console.log(USAGE);
  process.exit(values.help === true ? 0 : 2);
}

const series: { name: string; candles: Awaited<ReturnType<typeof readCandlesCsv>> }[] = [];
if (values.demo === true) {
  // The fake exchange's own walks for these markets, as it would serve them from 2020-01-01.
  for (const symbol of values.pairs.split(',')) {
    const market = DEFAULT_MARKETS.find((m) => m.symbol === symbol);
    if (market === undefined) {
      console.error(`--pairs: ${symbol} is not one of ${DEFAULT_MARKETS.map((m) => m.symbol).join(', ')}`);
      process.exit(2);
    }
    const walk = marketWalk({
      seed: Number(values.seed),
      market,
      interval: '1h',
      timeframeMs: HOUR_MS,
      start: Date.UTC(2020, 0, 1),
    });
    series.push({
      name: `demo ${symbol}`,
      candles: Array.from({ length: Number(values.hours) }, (_, k) => walk.candle(k)),
    });
  }
} else {
  for (const path of positionals) {
    series.push({ name: basename(path), candles: await readCandlesCsv(path, { timeframeMs: HOUR_MS }) });
  }
}

const f = (value: number, digits = 3): string => value.toFixed(digits);
console.log(
  '| series | hours | sd of r (%) | ACF abs r lag 1 / 24 | ACF r^2 lag 1 / 24 | busiest / quietest hour (UTC) | hour ratio | kurtosis | corr(ln vol, ln range) | corr(ln vol, abs r) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { name, candles } of series) {
  const s = marketStatistics(candles);
  console.log(
    `| ${name} | ${s.returns} | ${f(100 * s.volatility)} | ${f(s.absAcf1)} / ${f(s.absAcf24)} | ${f(s.squaredAcf1)} / ${f(s.squaredAcf24)} | ${s.busiestHour} / ${s.quietestHour} | ${f(s.hourRatio, 2)} | ${f(s.kurtosis, 1)} | ${f(s.volumeRangeCorrelation)} | ${f(s.volumeAbsReturnCorrelation)} |`,
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

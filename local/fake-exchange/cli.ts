import { parseArgs } from 'node:util';

import { stopOnSignal } from '../stop-on-signal.js';
import { startFakeExchange } from './server.js';

// Runs the fake exchange until Ctrl-C, for the local stack and for poking at it by hand:
//   npx tsx local/fake-exchange/cli.ts --port 8081 --seed 42
const USAGE =
  'usage: tsx local/fake-exchange/cli.ts [--host 127.0.0.1] [--port 8081] [--seed 42] [--delay-ms 0]';

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) {
    console.error(`--${name} must be a whole number, got "${value}"\n${USAGE}`);
    process.exit(2);
  }
  return Number(value);
}

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    seed: { type: 'string' },
    'delay-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}

const exchange = await startFakeExchange({
  host: values.host,
  port: wholeNumber('port', values.port, 8081),
  seed: wholeNumber('seed', values.seed, 42),
  faults: { delayMs: wholeNumber('delay-ms', values['delay-ms'], 0) },
});
console.log(`fake exchange (Binance spot API) listening on ${exchange.url}`);
console.log(`  try ${exchange.url}/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=3`);

stopOnSignal(() => exchange.close());

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

import { build } from 'esbuild';

import { loadConfig } from '../../../adapters/config/yaml.js';
import { loadExchangeClass } from '../../../adapters/market/exchange-classes.js';
import { BUNDLED_CCXT, BUNDLED_EXCHANGE_IDS } from '../../../infra/bundling/ccxt/bundled-exchanges.js';
import { UnknownExchangeError } from '../../../adapters/market/errors.js';
import { FUNCTION_ESBUILD } from '../../../infra/bundling/function-esbuild.js';
import { startFakeExchange, type FakeExchange } from '../../../local/fake-exchange/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('loadExchangeClass', () => {
  it("gives the exchanges the very classes of ccxt's index where node_modules is", async () => {
    const ccxt = await import('ccxt');

    assert.equal(await loadExchangeClass('binance'), ccxt.binance);
    assert.equal(await loadExchangeClass('binanceus'), ccxt.binanceus);
  });

  it("makes the functions' ccxt (bundled-exchanges.mjs) carry exactly BUNDLED_EXCHANGE_IDS, with ccxt's own classes", async () => {
    const ccxt = await import('ccxt');
    const bundled = (await import(BUNDLED_CCXT)) as {
      exchanges: Record<string, unknown>;
      NetworkError: unknown;
      bundledSubset: boolean;
    };

    assert.deepEqual(Object.keys(bundled.exchanges).sort(), [...BUNDLED_EXCHANGE_IDS].sort());
    for (const id of BUNDLED_EXCHANGE_IDS) assert.equal(bundled.exchanges[id], ccxt.exchanges[id]);
    // ccxt-source.ts tells retryable failures by instanceof the NetworkError of the ccxt it loaded.
    assert.equal(bundled.NetworkError, ccxt.NetworkError);
    assert.equal(bundled.bundledSubset, true);
  });

  it('loads any other ccxt exchange from the full ccxt where node_modules is', async () => {
    const Kraken = await loadExchangeClass('kraken');

    assert.equal(new Kraken().id, 'kraken');
  });

  it('refuses an id ccxt does not know, with near ones', async () => {
    await assert.rejects(
      loadExchangeClass('krakn'),
      (error: unknown) => error instanceof UnknownExchangeError && error.suggestions.includes('kraken'),
    );
  });

  it('bundles the exchange of every configuration in conf/', () => {
    for (const env of readdirSync(join(ROOT, 'conf'))) {
      const { config } = loadConfig({ env, environment: {} });
      assert.ok(
        (BUNDLED_EXCHANGE_IDS as readonly string[]).includes(config.exchange.id),
        `conf/${env}: ${config.exchange.id}`,
      );
    }
  });
});

/**
 * ccxt bundled as the functions bundle it (esbuild, ESM, minified, undici left out), and run outside the
 * repository, where no node_modules is.
 */
describe('ccxt in an esbuild bundle', { timeout: 120_000 }, () => {
  let dir = '';
  let bundle = '';
  let exchange: FakeExchange;

  before(async () => {
    exchange = await startFakeExchange({ seed: 7 });
    dir = mkdtempSync(join(tmpdir(), 'exchange-bundle-'));
    await build({
      stdin: {
        contents: [
          "import { CcxtCandleSource, createExchange } from './adapters/market/ccxt-source.js';",
          'const [id, url] = process.argv.slice(2);',
          'const config = { id, url: url ?? null, timeout_ms: 2000, max_retries: 1, retry_base_ms: 1 };',
          'try {',
          '  if (url === undefined) {',
          '    console.log(JSON.stringify({ id: (await createExchange(config)).id }));',
          '  } else {',
          "    const candles = await new CcxtCandleSource(config).fetchLast('BTC/USDT', 30);",
          '    console.log(JSON.stringify({ candles: candles.length }));',
          '  }',
          '} catch (error) {',
          '  const { name, message, transient, httpStatus } = error;',
          '  console.log(JSON.stringify({ error: name, message, transient, httpStatus }));',
          '}',
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      ...FUNCTION_ESBUILD,
      mainFields: [...FUNCTION_ESBUILD.mainFields],
      external: [...FUNCTION_ESBUILD.external],
      outfile: join(dir, 'index.mjs'),
      logLevel: 'error',
    });
    bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
  });

  after(async () => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    await exchange.close();
  });

  // Asynchronous: the fake exchange answers from this process meanwhile.
  async function run(...args: string[]): Promise<unknown> {
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'index.mjs'), ...args], {
      cwd: dir,
      timeout: 60_000,
    });
    return JSON.parse(stdout.trim()) as unknown;
  }

  it('carries the bundled exchanges and none of the others', () => {
    assert.ok(bundle.includes('api.binance.com'));
    assert.ok(bundle.includes('api.binance.us'));
    for (const host of ['api.kraken.com', 'api.bybit.com', 'www.okx.com']) {
      assert.ok(!bundle.includes(host), `the bundle carries ${host}: all of ccxt got in`);
    }
  });

  it('builds a bundled exchange', async () => {
    assert.deepEqual(await run('binance'), { id: 'binance' });
  });

  it('leaves out what ccxt imports for other exchanges and ccxt pro, as LEFT_OUT_MODULES stubs', () => {
    assert.ok(!bundle.includes('PerMessageDeflate'), 'ws got into the bundle');
    assert.ok(!bundle.includes('poseidon'), '@scure/starknet got into the bundle');
    assert.ok(bundle.includes('StarkNet signing, for exchanges other than Binance'));
  });

  it("fetches candles through the market adapter's node:http fetch, undici being left out", async () => {
    assert.ok(!bundle.includes('llhttp'), 'undici got into the bundle');

    assert.deepEqual(await run('binance', exchange.url), { candles: 30 });
  });

  it('still tells a retryable exchange failure by its HTTP status on that fetch', async () => {
    exchange.setFaults({ failNext: Infinity, failStatus: 503 });
    try {
      const outcome = (await run('binance', exchange.url)) as Record<string, unknown>;

      assert.equal(outcome['error'], 'ExchangeError');
      assert.equal(outcome['transient'], true);
      assert.equal(outcome['httpStatus'], 503);
    } finally {
      exchange.setFaults({ failNext: 0 });
    }
  });

  it('refuses any other id with what to change', async () => {
    const outcome = (await run('kraken')) as { error: string; message: string };

    assert.equal(outcome.error, 'UnbundledExchangeError');
    assert.match(outcome.message, /"kraken" is not bundled into this function, which carries "binance"/);
    assert.match(outcome.message, /infra\/bundling\/ccxt\/bundled-exchanges\.mjs/);
  });
});

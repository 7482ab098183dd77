import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { build } from 'esbuild';

import { loadConfig } from '../../../core/config/index.js';
import { BUNDLED_EXCHANGE_IDS, loadExchangeClass } from '../../../core/market/exchange-classes.js';
import { UnknownExchangeError } from '../../../core/market/errors.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('loadExchangeClass', () => {
  it("gives the bundled exchanges the very classes of ccxt's index, so its errors are ccxt's too", async () => {
    const ccxt = await import('ccxt');
    const errors = await import('../../../node_modules/ccxt/js/src/base/errors.js');

    assert.equal(await loadExchangeClass('binance'), ccxt.binance);
    assert.equal(await loadExchangeClass('binanceus'), ccxt.binanceus);
    // ccxt-source.ts tells retryable failures by instanceof NetworkError, imported from that module.
    assert.equal(errors.NetworkError, ccxt.NetworkError);
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
      assert.ok(BUNDLED_EXCHANGE_IDS.includes(config.exchange.id), `conf/${env}: ${config.exchange.id}`);
    }
  });
});

/** ccxt bundled as the functions bundle it (esbuild, ESM, minified), and run outside the repository. */
describe('createExchange in an esbuild bundle', { timeout: 120_000 }, () => {
  let dir = '';
  let bundle = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exchange-bundle-'));
    await build({
      stdin: {
        contents: [
          "import { createExchange } from './core/market/ccxt-source.js';",
          'const config = { url: null, timeout_ms: 1000, max_retries: 0, retry_base_ms: 1 };',
          'try {',
          '  const exchange = await createExchange({ ...config, id: process.argv[2] });',
          '  console.log(JSON.stringify({ id: exchange.id }));',
          '} catch (error) {',
          '  console.log(JSON.stringify({ error: error.name, message: error.message }));',
          '}',
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile: join(dir, 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      banner: {
        js: "import { createRequire as __murCreateRequire } from 'node:module'; const require = __murCreateRequire(import.meta.url);",
      },
      minify: true,
      logLevel: 'error',
    });
    bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
  });

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  function run(id: string): unknown {
    const result = spawnSync(process.execPath, [join(dir, 'index.mjs'), id], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout.trim()) as unknown;
  }

  it('carries the bundled exchanges and none of the others', () => {
    assert.ok(bundle.includes('api.binance.com'));
    assert.ok(bundle.includes('api.binance.us'));
    for (const host of ['api.kraken.com', 'api.bybit.com', 'www.okx.com']) {
      assert.ok(!bundle.includes(host), `the bundle carries ${host}: all of ccxt got in`);
    }
  });

  it('builds a bundled exchange', () => {
    assert.deepEqual(run('binance'), { id: 'binance' });
  });

  it('refuses any other id with what to change', () => {
    const outcome = run('kraken') as { error: string; message: string };

    assert.equal(outcome.error, 'UnbundledExchangeError');
    assert.match(outcome.message, /"kraken" is not bundled into this function, which carries "binance"/);
    assert.match(outcome.message, /core\/market\/exchange-classes\.ts/);
  });
});

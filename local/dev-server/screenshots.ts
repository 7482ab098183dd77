#!/usr/bin/env node
/**
 * The documentation's screenshots of the dashboard's runs page and held-out fan (`npm run docs:screenshots`):
 * a local stack of its own in a temporary folder (S3-compatible server, fake exchange, conf/local), the
 * configured pairs trained and recorded as the training job records them, one pair trained again with
 * another learning rate and once more under a promotion gate no model passes (a refused run), then both
 * pages opened in Chromium (Debian's, or CHROMIUM_PATH) and saved as PNG files.
 *
 *   npm run docs:screenshots [-- --out docs/public/screenshots] [--data-dir DIR]
 *
 * --data-dir keeps the stack's objects in DIR afterwards (`npm run runs -- --data-dir DIR` reads them).
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from './chromium.js';
import { loadConfig } from '../../adapters/config/yaml.js';
import { ensureLocalKeyPair } from '../../adapters/signing/local-keys.js';
import { ArtifactStore } from '../../adapters/storage/index.js';
import { RunRecords } from '../../adapters/storage/run-records.js';
import type { Config, Pair } from '../../core/config/index.js';
import { createLog } from '../../training-image/src/log.js';
import { trainPair } from '../../training-image/src/pipeline/train-pair.js';
import { thisMachine } from '../../training-image/src/runs/machine.js';
import { RunRecorder } from '../../training-image/src/runs/recorder.js';
import { selectBackend } from '../../training-image/src/tf/backend.js';
import { startFakeExchange } from '../fake-exchange/index.js';
import { startS3Server } from '../s3-server.js';
import { startLocalApi } from './adapter.js';
import { dashboardPages } from './dashboard.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'docs/public/screenshots' },
      'data-dir': { type: 'string' },
    },
  });
  const out = resolve(values.out);
  const log = createLog('text');
  const work = mkdtempSync(join(tmpdir(), 'screenshots-'));
  const base = loadConfig({ env: 'local', environment: {} }).config;
  const dataDir = values['data-dir'] === undefined ? join(work, 's3') : resolve(values['data-dir']);
  const s3 = await startS3Server({ directory: dataDir, buckets: [base.storage.bucket] });
  const exchange = await startFakeExchange({ seed: base.training.seed });
  try {
    ensureLocalKeyPair(join(work, 'keys'));
    const config: Config = {
      ...base,
      exchange: { ...base.exchange, url: exchange.url },
      storage: { ...base.storage, endpoint: s3.endpoint, signing_key: `file:${join(work, 'keys')}` },
    };
    const store = ArtifactStore.fromConfig(config.storage, { keyUse: 'sign' });
    const records = RunRecords.beside(store);
    const backend = await selectBackend(config.training.backend);
    /** Trains `pair` as the job does, recorded; the version published, or null when the run was refused. */
    const train = async (pair: Pair, runConfig: Config, what: string): Promise<string | null> => {
      log.info('screenshots', `${pair}: training (${what})`);
      const recorder = new RunRecorder({ records, config: runConfig, machine: thisMachine(backend), log });
      return recorder
        .run(pair, (observer) => trainPair({ config: runConfig, pair, store, backend, log, observer }))
        .then(
          (result) => result.version,
          (error: unknown) => {
            log.info('screenshots', `${pair}: ${String(error).split('\n')[0]}`);
            return null;
          },
        );
    };
    const [first] = config.pairs;
    if (first === undefined) throw new Error('conf/local names no pair');
    const slower = await train(
      first,
      { ...config, training: { ...config.training, learning_rate: 1e-3 } },
      'learning rate 1e-3',
    );
    let served: string | null = null;
    for (const pair of config.pairs) {
      const version = await train(pair, config, 'conf/local');
      if (pair === first) served = version;
    }
    await train(
      first,
      { ...config, validation: { ...config.validation, min_skill: 0.5 } },
      'a gate it cannot pass',
    );
    if (slower === null || served === null) throw new Error(`${first} did not publish both runs to compare`);

    process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
    const [{ createRuntime }, { createHandlers }] = await Promise.all([
      import('../../functions/runtime.js'),
      import('../../functions/handlers/index.js'),
    ]);
    const runtime = createRuntime(config);
    const apiKey = 'screenshots-key';
    const api = await startLocalApi({
      handlers: createHandlers(runtime),
      apiKeys: [apiKey],
      port: 0,
      pages: dashboardPages({ apiKey }),
    });
    const browser = await launchChromium();
    try {
      mkdirSync(out, { recursive: true });
      const pair = encodeURIComponent(first);
      for (const [name, path] of [
        // The two learning rates side by side (the refused run is listed above them, with its reason) ...
        ['runs.png', `/runs.html?pair=${pair}&a=${slower}&b=${served}`],
        // ... and the last week of the served version's held-out hours.
        ['heldout.png', `/heldout.html?pair=${pair}&run=${served}&last=168`],
      ] as const) {
        const page = await browser.context.newPage();
        await page.goto(`${api.url}${path}`);
        await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
        await page.screenshot({ path: join(out, name), fullPage: true });
        await page.close();
        log.info('screenshots', `wrote ${join(out, name)}`);
      }
    } finally {
      await browser.close();
      await api.close();
      await runtime.close();
    }
  } finally {
    await exchange.close();
    await s3.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`screenshots: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

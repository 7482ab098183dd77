/**
 * `npm start` end to end, as a user runs it: the local stack in a child process with the fake exchange,
 * training the pair (conf/local, a few seconds), then serving it over HTTP; stopped with Ctrl-C (SIGINT).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'local-dev-key-not-secret'; // conf/local serving.api_keys
const START_TIMEOUT_MS = 240_000;

interface Output {
  text: string;
  /** Resolves with the first match of `pattern` in stdout and stderr together. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

function collect(child: ChildProcess): Output {
  const output: Output = {
    text: '',
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = output.text.match(pattern);
          if (match !== null) {
            cleanup();
            resolve(match);
          }
          return match !== null;
        };
        const onExit = (code: number | null): void => {
          cleanup();
          reject(new Error(`the stack exited (${code}) before printing ${pattern}:\n${output.text}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output.text}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          child.off('exit', onExit);
        };
        if (check()) return;
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        child.once('exit', onExit);
      }),
  };
  const append = (chunk: Buffer): void => {
    output.text += chunk.toString();
  };
  // Registered first, so that the text is complete when a waiter's check runs.
  child.stdout?.prependListener('data', append);
  child.stderr?.prependListener('data', append);
  return output;
}

function portAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start (local/stack.ts) end to end', { timeout: START_TIMEOUT_MS + 60_000 }, () => {
  let dataDir: string;
  let child: ChildProcess;
  let output: Output;
  let url: string;
  let s3Url: string;
  let exchangeUrl: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stack-e2e-'));
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/stack.ts', '--port', '0', '--data-dir', dataDir, '--pairs', 'BTC/USDT'],
      { cwd: ROOT, env: { ...process.env, API_KEYS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    output = collect(child);
    url = (await output.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, START_TIMEOUT_MS))[1] as string;
    s3Url = (await output.waitFor(/S3-compatible server on (http:\/\/127\.0\.0\.1:\d+)/, 1_000))[1] as string;
    exchangeUrl = (
      await output.waitFor(/fake exchange .* on (http:\/\/127\.0\.0\.1:\d+)/, 1_000)
    )[1] as string;
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('trained the pair with progress, and prints the URL, the key and curl lines', () => {
    assert.match(output.text, /BTC\/USDT epoch 1\/\d+: train loss/);
    assert.match(output.text, /BTC\/USDT: published version \d{8}T\d{6}Z/);
    assert.ok(output.text.includes(`API key    ${KEY}`));
    assert.ok(output.text.includes(`curl -H 'x-api-key: ${KEY}' '${url}/predict?currency=BTC&compare=USDT'`));
  });

  it('predicts with an API key, and refuses without one', async () => {
    // Act
    const withKey = await fetch(`${url}/predict?currency=btc&compare=usdt`, {
      headers: { 'x-api-key': KEY },
    });
    const body = (await withKey.json()) as {
      pair: string;
      prediction: { close: number; open_time: string };
      last_candle: { close_time: string };
      model: { metrics: { naive_mae: number } };
    };
    const without = await fetch(`${url}/predict?currency=btc&compare=usdt`);
    const wrongKey = await fetch(`${url}/predict?currency=btc&compare=usdt`, {
      headers: { 'x-api-key': 'not-the-key' },
    });

    // Assess
    assert.equal(withKey.status, 200, JSON.stringify(body));
    assert.equal(body.pair, 'BTC/USDT');
    assert.ok(Number.isFinite(body.prediction.close) && body.prediction.close > 0);
    assert.equal(body.prediction.open_time, body.last_candle.close_time);
    assert.ok(body.model.metrics.naive_mae > 0);
    for (const refused of [without, wrongKey]) {
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'forbidden');
    }
  });

  it('lists the models with an API key, and refuses without one', async () => {
    // Act
    const withKey = await fetch(`${url}/models`, { headers: { 'x-api-key': KEY } });
    const without = await fetch(`${url}/models`);

    // Assess
    assert.equal(withKey.status, 200);
    const { models } = (await withKey.json()) as { models: { pair: string }[] };
    assert.deepEqual(
      models.map((m) => m.pair),
      ['BTC/USDT'],
    );
    assert.equal(without.status, 403);
  });

  it('answers /readyz with or without a key (it needs none), and /status with the operator key lists the models', async () => {
    // Act
    const without = await fetch(`${url}/readyz`);
    const withKey = await fetch(`${url}/readyz`, { headers: { 'x-api-key': KEY } });
    const operatorKey = (/ {2}operator {3}(\S+)/.exec(output.text) ?? [])[1] ?? 'missing';
    const status = await fetch(`${url}/status`, { headers: { 'x-api-key': operatorKey } });
    const notOperator = await fetch(`${url}/status`, { headers: { 'x-api-key': KEY } });

    // Assess: the public route says ready and nothing more; the pairs and versions are the keyed route's
    for (const response of [without, withKey]) {
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { ready: true });
    }
    assert.equal(notOperator.status, 403, 'the API key is not the operator key');
    assert.equal(status.status, 200);
    const body = (await status.json()) as { ready: boolean; models: { pair: string }[] };
    assert.equal(body.ready, true);
    assert.deepEqual(
      body.models.map((m) => m.pair),
      ['BTC/USDT'],
    );
  });

  it('answers a method the route does not take with 405 and Allow', async () => {
    const reply = await fetch(`${url}/predict?currency=btc&compare=usdt`, {
      method: 'DELETE',
      headers: { 'x-api-key': KEY },
    });
    assert.equal(reply.status, 405);
    assert.match(reply.headers.get('allow') ?? '', /GET/);
    const body = (await reply.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'method_not_allowed');
  });

  it('serves the dashboard and its chart library', async () => {
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script nonce="[^"]+" src="\/assets\/lightweight-charts\.js">/);
    assert.equal((await fetch(`${url}/assets/lightweight-charts.js`)).status, 200);
  });

  it('stops everything on Ctrl-C (SIGINT) and exits with 0', async () => {
    // Act
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started = Date.now();
    child.kill('SIGINT');
    const code = await exited;

    // Assess
    assert.equal(code, 0, output.text.slice(-2_000));
    assert.ok(Date.now() - started < 10_000, 'stopped within 10 s');
    assert.match(output.text, /SIGINT: stopping the local stack/);
    assert.equal(await portAnswers(url), false, 'the HTTP server is closed');
    assert.equal(await portAnswers(s3Url), false, 'the S3-compatible server is stopped');
    assert.equal(await portAnswers(exchangeUrl), false, 'the fake exchange is stopped');
  });
});

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import { createExchange } from '../../../adapters/market/ccxt-source.js';
import { httpFetch } from '../../../adapters/market/http-fetch.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const BODY = JSON.stringify({ symbols: Array.from({ length: 200 }, (_, i) => `PAIR${i}/USDT`) });

describe('httpFetch against a server on 127.0.0.1', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let closedEarly = 0;

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = request.url ?? '/';
        seen.push({
          method: request.method ?? '',
          url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (url === '/hang') {
          response.on('close', () => (closedEarly += 1));
          return;
        }
        if (url === '/redirect') {
          response.writeHead(302, { location: '/elsewhere' }).end();
          return;
        }
        if (url === '/bad-gzip') {
          response.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip at all');
          return;
        }
        const encode = { '/gzip': gzipSync, '/deflate': deflateSync, '/br': brotliCompressSync }[url];
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-multi': 'a' };
        if (encode !== undefined) headers['content-encoding'] = url.slice(1);
        response.writeHead(url === '/teapot' ? 418 : 200, headers);
        response.end(encode === undefined ? BODY : encode(Buffer.from(BODY)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers what fetch answers for the parts ccxt reads: status, statusText, headers and text', async () => {
    const response = await httpFetch(`${base}/teapot`);

    assert.equal(response.status, 418);
    assert.equal(response.statusText, "I'm a Teapot");
    assert.equal(response.ok, false);
    assert.equal(response.headers['content-type'], 'application/json');
    assert.equal(await response.text(), BODY);
    assert.equal(Buffer.from(await response.arrayBuffer()).toString(), BODY);
  });

  it('sends the method, the headers and the body, and asks for compressed answers', async () => {
    seen.length = 0;

    await httpFetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': 'key', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'symbol=BTCUSDT&side=BUY',
    });

    const [request] = seen;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.headers['x-mbx-apikey'], 'key');
    assert.equal(request?.headers['content-length'], String('symbol=BTCUSDT&side=BUY'.length));
    assert.equal(request?.headers['accept-encoding'], 'gzip, deflate, br');
    assert.equal(request?.body, 'symbol=BTCUSDT&side=BUY');
  });

  for (const encoding of ['gzip', 'deflate', 'br']) {
    it(`decompresses a ${encoding} body`, async () => {
      const response = await httpFetch(`${base}/${encoding}`);
      assert.equal(await response.text(), BODY);
    });
  }

  it('rejects a body that does not decode as its content-encoding says, as a fetch failure', async () => {
    await assert.rejects(httpFetch(`${base}/bad-gzip`), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /^fetch failed/);
      return true;
    });
  });

  it('does not follow redirects: the 302 is the answer', async () => {
    const response = await httpFetch(`${base}/redirect`);
    assert.equal(response.status, 302);
    assert.equal(response.headers['location'], '/elsewhere');
  });

  it("rejects with the signal's reason when aborted, and closes the request", async () => {
    const controller = new AbortController();
    const pending = httpFetch(`${base}/hang`, { signal: controller.signal });
    while (!seen.some((request) => request.url === '/hang')) await new Promise((r) => setTimeout(r, 5));

    controller.abort();

    await assert.rejects(pending, (error: unknown) => error instanceof Error && error.name === 'AbortError');
    while (closedEarly === 0) await new Promise((r) => setTimeout(r, 5));
  });

  it('sends nothing when the signal is already aborted', async () => {
    seen.length = 0;
    await assert.rejects(
      httpFetch(`${base}/echo`, { signal: AbortSignal.abort() }),
      (error: unknown) => error instanceof Error && error.name === 'AbortError',
    );
    assert.equal(seen.length, 0);
  });

  it('turns a refused connection into TypeError("fetch failed") with the cause, as undici does', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    await assert.rejects(httpFetch(`http://127.0.0.1:${port}/`), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.equal(error.message, 'fetch failed');
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      return true;
    });
  });

  it('refuses a URL that is not http or https', async () => {
    await assert.rejects(httpFetch('ftp://127.0.0.1/'), /unsupported protocol ftp:/);
  });

  it('is the fetch every exchange made by createExchange uses', async () => {
    const exchange = await createExchange({
      id: 'binance',
      url: base,
      timeout_ms: 1_000,
      max_retries: 0,
      retry_base_ms: 1,
    });
    assert.equal(exchange.fetchImplementation, httpFetch);
  });
});

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchClient } from '@aws-sdk/client-batch';

/** A request as the real SDK sent it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export type BatchAnswer = (request: RecordedRequest) => { status?: number; body: unknown } | undefined;

/**
 * AWS Batch's REST API on 127.0.0.1, enough for the jobs command: it records what the SDK sends and answers
 * with JSON shaped as AWS Batch answers (application/json, the error type in x-amzn-errortype).
 */
export class FakeBatch {
  public readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private answer: BatchAnswer = () => undefined;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const request: RecordedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        };
        this.requests.push(request);
        const answer = this.answer(request) ?? {
          status: 400,
          body: { message: `the fake does not answer ${request.method} ${request.path}` },
        };
        const status = answer.status ?? 200;
        res.writeHead(status, {
          'content-type': 'application/json',
          'x-amzn-requestid': `req-${this.requests.length}`,
          ...(status >= 400 ? { 'x-amzn-errortype': 'ClientException' } : {}),
        });
        res.end(JSON.stringify(answer.body));
      });
    });
  }

  public static async start(): Promise<FakeBatch> {
    const fake = new FakeBatch();
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    return fake;
  }

  public get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  public answerWith(answer: BatchAnswer): void {
    this.answer = answer;
    this.requests.length = 0;
  }

  /** A real BatchClient pointed at the fake, with static fake credentials. */
  public client(): BatchClient {
    return new BatchClient({
      endpoint: this.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
      maxAttempts: 1,
    });
  }

  public async stop(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }
}

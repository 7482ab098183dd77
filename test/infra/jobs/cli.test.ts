import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../infra/jobs/cli.js';
import { REPO_ROOT } from '../../../infra/lib/paths.js';
import { FakeBatch } from './fake-batch.js';

/** cdk-outputs.json as `npx cdk deploy --outputs-file` writes it. */
function outputsFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'jobs-cli-')), 'cdk-outputs.json');
  writeFileSync(
    file,
    JSON.stringify({
      CryptoForecast: {
        ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/',
        JobQueueName: 'TrainingJobQueue-abc',
        JobDefinitionName: 'TrainingJobDefinition-def',
        Pairs: 'BTC/USDT,ETH/USDT',
      },
    }),
  );
  return file;
}

const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIDFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake-secret',
  AWS_REGION: 'eu-west-1',
};

describe('jobs command', () => {
  let batch: FakeBatch;
  let outputs: string;
  before(async () => {
    batch = await FakeBatch.start();
    outputs = outputsFile();
    Object.assign(process.env, CREDENTIALS);
  });
  after(async () => {
    await batch.stop();
    rmSync(dirname(outputs), { recursive: true, force: true });
  });

  async function run(...argv: string[]): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await main(['--outputs', outputs, '--endpoint-url', batch.endpoint, ...argv], (text) =>
      lines.push(text),
    );
    return { code, lines };
  }

  it('submit reads the queue, the definition and the pairs from the stack outputs', async () => {
    // Arrange
    batch.answerWith(() => ({
      body: { jobArn: 'arn', jobName: 'crypto-forecast-training-manual', jobId: 'j-9' },
    }));

    // Act
    const { code, lines } = await run('submit');

    // Assess
    assert.equal(code, 0);
    assert.deepEqual(batch.requests[0]?.body, {
      jobName: 'crypto-forecast-training-manual',
      jobQueue: 'TrainingJobQueue-abc',
      jobDefinition: 'TrainingJobDefinition-def',
      containerOverrides: { environment: [{ name: 'PAIRS', value: 'BTC/USDT,ETH/USDT' }] },
    });
    assert.equal(
      lines[0],
      'Submitted crypto-forecast-training-manual (j-9): a single job training 2 pairs (BTC/USDT, ETH/USDT) on TrainingJobQueue-abc',
    );
  });

  it('flags win over the outputs file', async () => {
    batch.answerWith(() => ({ body: { jobArn: 'arn', jobName: 'n', jobId: 'j-10' } }));
    const { code } = await run('--queue', 'other-queue', 'submit', '--pair', 'BTC/USDT');
    assert.equal(code, 0);
    assert.equal(batch.requests[0]?.body['jobQueue'], 'other-queue');
    assert.equal(batch.requests[0]?.body['jobName'], 'crypto-forecast-training-btc_usdt');
  });

  it('list prints the table', async () => {
    batch.answerWith((request) =>
      request.path === '/v1/listjobs'
        ? { body: { jobSummaryList: [] } }
        : request.path === '/v1/describejobs'
          ? { body: { jobs: [] } }
          : undefined,
    );
    const { code, lines } = await run('list', '--limit', '5');
    assert.equal(code, 0);
    assert.deepEqual(lines, ['No training runs in TrainingJobQueue-abc.']);
  });

  it('exits with 2 and says what to pass when there are no outputs and no flags', async () => {
    const code = await main(['--outputs', join(tmpdir(), 'missing-outputs.json'), 'list'], () => {});
    assert.equal(code, 2);
  });

  it('exits with 2 on a usage mistake and 1 when AWS refuses', async () => {
    assert.equal((await run('list', '--limit', 'many')).code, 2);
    batch.answerWith(() => ({ status: 400, body: { message: 'no such queue' } }));
    assert.equal((await run('list')).code, 1);
  });

  it('runs as `npm run jobs` runs it', async () => {
    // Arrange
    batch.answerWith(() => ({
      body: { jobArn: 'arn', jobName: 'crypto-forecast-training-manual', jobId: 'j-11' },
    }));

    // Act
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'infra/jobs/cli.ts',
        '--outputs',
        outputs,
        '--endpoint-url',
        batch.endpoint,
        'submit',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, ...CREDENTIALS } },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    // Assess
    assert.equal(code, 0);
    assert.match(stdout, /Submitted crypto-forecast-training-manual \(j-11\)/);
  });
});

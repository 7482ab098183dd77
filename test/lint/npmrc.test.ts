import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../support/run-cli.js';

const run = promisify(execFile);

describe("the project's .npmrc", () => {
  it('skips every install script with a setting npm knows, so that npm warns about nothing', async () => {
    // Act: npm reads the project's .npmrc for any command; `config get` is the cheapest
    const { stdout, stderr } = await run('npm', ['config', 'get', 'ignore-scripts'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
    });

    // Assess: onnxruntime-node's CUDA download (its postinstall) cannot run, and no "Unknown project config"
    assert.equal(stdout.trim(), 'true');
    assert.doesNotMatch(stderr, /npm warn/i);
  });
});

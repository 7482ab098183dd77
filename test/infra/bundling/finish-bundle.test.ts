import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/index.js';
import { loadConfig } from '../../../adapters/config/yaml.js';
import { loadJsonConfig } from '../../../adapters/config/json.js';
import {
  BundleError,
  METAFILE,
  finishBundle,
  keepFile,
  writeJsonConf,
} from '../../../infra/bundling/finish-bundle.js';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function temporary(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function write(path: string, text = 'x'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A project with onnxruntime-node as npm installs it (every platform), its dependencies, and conf/. */
function project(): string {
  const dir = temporary('finish-bundle-project-');
  const ort = join(dir, 'node_modules', 'onnxruntime-node');
  write(
    join(ort, 'package.json'),
    JSON.stringify({
      name: 'onnxruntime-node',
      dependencies: { 'onnxruntime-common': '1', 'adm-zip': '1', 'global-agent': '1' },
    }),
  );
  write(join(ort, 'dist', 'index.js'), 'module.exports = {};');
  for (const platform of ['linux/x64', 'linux/arm64', 'darwin/arm64', 'win32/x64', 'win32/arm64']) {
    write(join(ort, 'bin', 'napi-v6', platform, 'onnxruntime_binding.node'));
  }
  write(join(dir, 'node_modules', 'onnxruntime-common', 'package.json'), '{"name":"onnxruntime-common"}');
  write(join(dir, 'node_modules', 'adm-zip', 'package.json'), '{"name":"adm-zip"}');
  write(join(dir, 'node_modules', 'global-agent', 'package.json'), '{"name":"global-agent"}');
  write(join(dir, 'node_modules', 'left-pad', 'package.json'), '{"name":"left-pad"}');
  write(join(dir, 'conf', 'base', 'parameters.yaml'), 'pairs: [BTC/USDT]\n');
  return dir;
}

/**
 * An asset folder as esbuild leaves it: index.mjs and a metafile naming the inputs and externals (Node
 * built-ins reached by require, as the shims of function-esbuild.ts leave them, unless `esBuiltins`).
 */
function bundle(inputs: string[], externals: string[], esBuiltins: string[] = []): string {
  const dir = temporary('finish-bundle-out-');
  write(join(dir, 'index.mjs'), 'export const handler = () => {};');
  const meta = {
    inputs: Object.fromEntries(inputs.map((input) => [input, { bytes: 1 }])),
    outputs: {
      [join(dir, 'index.mjs')]: {
        imports: [
          { path: 'node:fs', kind: 'require-call', external: true },
          { path: 'stream', kind: 'require-call', external: true },
          ...esBuiltins.map((path) => ({ path, kind: 'import-statement', external: true })),
          ...externals.map((path) => ({ path, kind: 'import-statement', external: true })),
        ],
      },
    },
  };
  write(join(dir, METAFILE), JSON.stringify(meta));
  return dir;
}

describe('finishBundle', () => {
  it('vendors onnxruntime-node with the linux binaries of the architecture only, and its runtime dependency', () => {
    // Arrange
    const projectDir = project();
    const outDir = bundle(['functions/lambda/predict.ts'], ['onnxruntime-node']);

    // Act
    const report = finishBundle({ outDir, arch: 'x64', projectDir });

    // Assess
    const ort = join(outDir, 'node_modules', 'onnxruntime-node');
    assert.deepEqual(readdirSync(join(ort, 'bin', 'napi-v6')), ['linux']);
    assert.deepEqual(readdirSync(join(ort, 'bin', 'napi-v6', 'linux')), ['x64']);
    assert.ok(existsSync(join(ort, 'dist', 'index.js')));
    assert.deepEqual(readdirSync(join(outDir, 'node_modules')).sort(), [
      'onnxruntime-common',
      'onnxruntime-node',
    ]);
    assert.deepEqual([...report.vendored].sort(), ['onnxruntime-common', 'onnxruntime-node']);
  });

  it('vendors onnxruntime-node when the bundle loads it through its loader (function-esbuild.ts aliases it)', () => {
    const outDir = bundle(
      ['core/predictor/model-loader.ts', 'infra/bundling/vendored/onnxruntime-node.mjs'],
      [],
    );

    const report = finishBundle({ outDir, arch: 'x64', projectDir: project() });

    assert.deepEqual([...report.vendored].sort(), ['onnxruntime-common', 'onnxruntime-node']);
  });

  it('keeps the arm64 binaries for an arm64 function', () => {
    const outDir = bundle([], ['onnxruntime-node']);
    finishBundle({ outDir, arch: 'arm64', projectDir: project() });
    assert.deepEqual(
      readdirSync(join(outDir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux')),
      ['arm64'],
    );
  });

  it('ships no node_modules when the bundle needs no native package', () => {
    const outDir = bundle(['functions/lambda/healthz.ts'], []);
    const report = finishBundle({ outDir, arch: 'x64', projectDir: project() });
    assert.equal(existsSync(join(outDir, 'node_modules')), false);
    assert.deepEqual(report.vendored, []);
  });

  it('writes conf/ beside the handler as JSON, and removes the metafile', () => {
    const outDir = bundle([], []);
    finishBundle({ outDir, arch: 'x64', projectDir: project() });
    assert.deepEqual(JSON.parse(readFileSync(join(outDir, 'conf', 'base', 'parameters.json'), 'utf8')), {
      pairs: ['BTC/USDT'],
    });
    assert.equal(existsSync(join(outDir, 'conf', 'base', 'parameters.yaml')), false);
    assert.equal(existsSync(join(outDir, METAFILE)), false);
  });

  it('refuses conf/ with a file that is not valid YAML, naming the file', () => {
    const projectDir = project();
    write(join(projectDir, 'conf', 'local', 'parameters.yaml'), 'pairs: [BTC/USDT\n');
    assert.throws(
      () => finishBundle({ outDir: bundle([], []), arch: 'x64', projectDir }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes(join('local', 'parameters.yaml')) &&
        error.message.includes('not valid YAML'),
    );
  });

  it('refuses a bundle that contains TensorFlow.js', () => {
    const outDir = bundle(['node_modules/@tensorflow/tfjs-core/dist/index.js'], []);
    assert.throws(
      () => finishBundle({ outDir, arch: 'x64', projectDir: project() }),
      (error: unknown) =>
        error instanceof BundleError &&
        /TensorFlow\.js must never be in a Lambda function/.test(error.message),
    );
  });

  it('refuses a bundle that leaves TensorFlow.js external', () => {
    const outDir = bundle([], ['@tensorflow/tfjs-node']);
    assert.throws(() => finishBundle({ outDir, arch: 'x64', projectDir: project() }), /TensorFlow\.js/);
  });

  it('refuses an installed package left external that nothing would ship', () => {
    const outDir = bundle([], ['left-pad']);
    assert.throws(
      () => finishBundle({ outDir, arch: 'x64', projectDir: project() }),
      /leaves left-pad external but nothing ships it/,
    );
  });

  it('refuses a bundle that imports a Node built-in as an ES module, naming the shim to add', () => {
    const outDir = bundle([], [], ['node:http', 'fs/promises']);
    assert.throws(
      () => finishBundle({ outDir, arch: 'x64', projectDir: project() }),
      (error: unknown) =>
        error instanceof BundleError &&
        error.message.includes('fs/promises, http as ES modules') &&
        error.message.includes('infra/bundling/builtins/fs-promises.cjs, infra/bundling/builtins/http.cjs'),
    );
  });

  it('leaves undici out, installed as it is, without shipping it (ccxt is given its own fetch)', () => {
    const projectDir = project();
    write(join(projectDir, 'node_modules', 'undici', 'package.json'), '{"name":"undici"}');
    const outDir = bundle([], ['undici']);

    const report = finishBundle({ outDir, arch: 'x64', projectDir });

    assert.deepEqual(report.vendored, []);
    assert.equal(existsSync(join(outDir, 'node_modules', 'undici')), false);
  });

  it('lets an optional require that is not installed stay external (ws and utf-8-validate)', () => {
    const outDir = bundle([], ['utf-8-validate']);
    const report = finishBundle({ outDir, arch: 'x64', projectDir: project() });
    assert.deepEqual(report.optional, ['utf-8-validate']);
  });
});

describe('writeJsonConf', () => {
  it("gives the function, from the repository's conf/, the configuration loadConfig reads for every environment", () => {
    // Arrange
    const outConfDir = temporary('finish-bundle-conf-');

    // Act
    const written = writeJsonConf(join(process.cwd(), 'conf'), outConfDir);

    // Assess
    const envs = readdirSync(join(process.cwd(), 'conf'));
    assert.equal(written.length, envs.length);
    for (const env of envs) {
      const environment = { MODEL_BUCKET: 'models-bucket' };
      assert.deepEqual(
        loadJsonConfig({ env, confDir: outConfDir, environment }).config,
        loadConfig({ env, environment }).config,
        env,
      );
    }
  });
});

describe('keepFile', () => {
  it('keeps everything but the native binaries of other platforms', () => {
    const pkg = '/p/node_modules/onnxruntime-node';
    assert.equal(keepFile(`${pkg}/dist/index.js`, pkg, 'x64'), true);
    assert.equal(keepFile(`${pkg}/bin/napi-v6`, pkg, 'x64'), true);
    assert.equal(keepFile(`${pkg}/bin/napi-v6/linux`, pkg, 'x64'), true);
    assert.equal(keepFile(`${pkg}/bin/napi-v6/linux/x64/libonnxruntime.so.1`, pkg, 'x64'), true);
    assert.equal(keepFile(`${pkg}/bin/napi-v6/linux/arm64`, pkg, 'x64'), false);
    assert.equal(keepFile(`${pkg}/bin/napi-v6/darwin`, pkg, 'x64'), false);
    assert.equal(keepFile(`${pkg}/bin/napi-v6/win32/x64/onnxruntime.dll`, pkg, 'x64'), false);
  });
});

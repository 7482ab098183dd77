import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT, restrictedImports } from './support.js';

/** The imports that would make core/ do I/O, each spelled as a fixture would write it. */
const ADAPTER_IMPORTS = [
  "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
  "import { readFileSync } from 'fs';\nexport const r = readFileSync;\n",
  "import { request } from 'node:http';\nexport const r = request;\n",
  "import { request } from 'node:https';\nexport const r = request;\n",
  "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
  "import { S3Client } from '@aws-sdk/client-s3';\nexport const c = S3Client;\n",
  "import type { Exchange } from 'ccxt';\nexport type E = Exchange;\n",
  "import * as ort from 'onnxruntime-node';\nexport const o = ort;\n",
  "export { ArtifactStore } from '../../adapters/storage/store.js';\n",
  "export { CcxtCandleSource } from '../../adapters/market/ccxt-source.js';\n",
] as const;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('lint: the domain (core/) does no I/O', () => {
  it('fails on a core/ fixture that imports the file system, the network, a process, the AWS SDK, ccxt, onnxruntime or an adapter', async () => {
    for (const code of ADAPTER_IMPORTS) {
      const messages = await restrictedImports(code, 'core/features/fixture.ts');
      assert.equal(messages.length, 1, code);
      assert.match(messages[0] ?? '', /core\/ is (the pure domain|the bottom layer)/, code);
    }
  });

  it('allows the same imports in adapters/ (except ccxt and onnxruntime outside their own adapter)', async () => {
    assert.deepEqual(await restrictedImports(ADAPTER_IMPORTS[0], 'adapters/config/fixture.ts'), []);
    assert.deepEqual(await restrictedImports(ADAPTER_IMPORTS[6], 'adapters/storage/fixture.ts'), []);
  });

  it('passes on every file of core/ as it is', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const files = tsFiles(join(ROOT, 'core'));
    assert.ok(files.length > 30, `core/ has ${files.length} files`);
    const results = await eslint.lintFiles(files);
    const problems = results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId === 'no-restricted-imports')
        .map((message) => `${relative(ROOT, result.filePath)}: ${message.message}`),
    );
    assert.deepEqual(problems, []);
  });
});

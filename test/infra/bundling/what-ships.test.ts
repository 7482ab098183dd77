import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import { FUNCTION_ESBUILD } from '../../../infra/bundling/function-esbuild.js';
import { ROOT } from '../../support/run-cli.js';
import { restrictedImports } from '../../lint/support.js';

/** The project's own modules a function's bundle carries code of (bytes in the output > 0), repo-relative. */
async function shippedModules(entry: string): Promise<string[]> {
  const result = await build({
    ...FUNCTION_ESBUILD,
    entryPoints: [join(ROOT, entry)],
    write: false,
    metafile: true,
    outfile: join(ROOT, '.scratch', 'what-ships.mjs'),
    absWorkingDir: ROOT,
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  assert.ok(output, `esbuild bundled ${entry}`);
  return Object.entries(output.inputs)
    .filter(([path, input]) => input.bytesInOutput > 0 && !path.includes('node_modules/'))
    .map(([path]) => path)
    .sort();
}

describe('what each function ships', () => {
  it('gives /healthz no distribution, features, predictor, storage client or exchange code', async () => {
    const modules = await shippedModules('functions/lambda/healthz.ts');
    // The configuration schema, which every function validates at start-up, names the distribution's
    // family and scale inputs and the feature sets: those three small schema modules, and no others.
    const schemaParts = new Set([
      'core/distribution/family.ts',
      'core/distribution/scale-inputs.ts',
      'core/features/columns.ts',
    ]);
    const elsewhere =
      /^(core\/(distribution|features|metrics|artifacts)|serving\/(?!errors)|adapters\/(inference|storage\/(?!errors)|market\/(?!errors)))/;
    const unexpected = modules.filter((path) => !schemaParts.has(path) && elsewhere.test(path));
    assert.deepEqual(unexpected, []);
    assert.ok(modules.includes('functions/handlers/healthz.ts'));
  });

  it('refuses, by lint, a barrel import in shipped code', async () => {
    const code = "export { Predictor } from '../serving/index.js';\n";
    for (const path of ['functions/fixture.ts', 'serving/fixture.ts', 'adapters/storage/fixture.ts']) {
      const messages = await restrictedImports(
        path.startsWith('adapters/') ? "export { sha256Hex } from '../../core/artifacts/index.js';\n" : code,
        path,
      );
      assert.ok(
        messages.some((message) => /not an index\.js barrel/.test(message)),
        `${path}: ${messages.join('; ')}`,
      );
    }
  });
});

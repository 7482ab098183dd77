import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from '../support/run-cli.js';

/**
 * The project's own ESLint configuration, run through ESLint's Node API on source text placed (virtually)
 * at a path in a layer: the rules apply by path, and no file is written into the tree.
 */
const eslint = new ESLint({ cwd: ROOT });

/** The no-restricted-imports messages ESLint gives `code` as if it were the file at `path`. */
export async function restrictedImports(code: string, path: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  assert.ok(result, 'ESLint linted the text');
  assert.equal(result.fatalErrorCount, 0, JSON.stringify(result.messages));
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}
export { ROOT };

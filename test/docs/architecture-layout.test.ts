import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/run-cli.js';

/** The folders git keeps at the top level (node_modules and other ignored ones aside). */
const IGNORED = new Set(['.ci-cache', '.git', 'node_modules', 'cdk.out', 'dist', 'coverage', '.local']);

function folders(path: string): string[] {
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !IGNORED.has(entry.name))
    .map((entry) => entry.name);
}

describe("README's folder table", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const rows = new Set([...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]));

  it('lists every top-level folder and every core/ sub-module', () => {
    const missing = [
      ...folders(ROOT).map((name) => `${name}/`),
      ...folders(join(ROOT, 'core')).map((name) => `core/${name}`),
    ].filter((row) => !rows.has(row));
    assert.deepEqual(missing, []);
  });
});

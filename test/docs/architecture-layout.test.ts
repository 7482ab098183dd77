import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/run-cli.js';

/** The folders git keeps at the top level (node_modules and other ignored ones aside). */
const IGNORED = new Set([
  '.ci-cache',
  '.git',
  '.local',
  '.scratch',
  'cdk.out',
  'coverage',
  'dist',
  'node_modules',
  'reports',
]);

function folders(path: string): string[] {
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !IGNORED.has(entry.name))
    .map((entry) => entry.name);
}

describe("the architecture page's layout table", () => {
  const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  // A row starts with the folder in a code span; prettier pads the cell, so spaces may follow it.
  const rows = new Set([...page.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((match) => match[1]));

  it('lists every top-level folder and every core/ sub-module', () => {
    const missing = [
      ...folders(ROOT).map((name) => `${name}/`),
      ...folders(join(ROOT, 'core')).map((name) => `core/${name}`),
    ].filter((row) => !rows.has(row));
    assert.deepEqual(missing, []);
  });
});

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { GENERATED_FILES } from '../../docs/.vitepress/api-reference.js';
import { ROOT } from '../support/run-cli.js';

/**
 * The Markdown a reader opens on GitHub: the README, the changelog and the site's pages. VitePress checks
 * the links between pages when it builds, but not the README's, nor links to files (the reports).
 */
const DOCUMENTS = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Link targets that are neither web addresses nor anchors in the same document. */
function relativeTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => (match[1] ?? '').split('#')[0] ?? '')
    .filter((target) => target !== '' && !/^[a-z]+:/.test(target));
}

describe('links in the documentation', () => {
  it('reach a file of the repository, or one the site build generates', () => {
    const generated = new Set<string>(Object.values(GENERATED_FILES));
    const dead = DOCUMENTS.flatMap((document) =>
      relativeTargets(readFileSync(join(ROOT, document), 'utf8'))
        .map((target) => relative(ROOT, join(ROOT, dirname(document), target)))
        .filter((path) => !generated.has(path) && !existsSync(join(ROOT, path)))
        .map((path) => `${document}: ${path}`),
    );
    assert.deepEqual(dead, []);
  });
});

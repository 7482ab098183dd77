/**
 * Writes the generated part of the API page (included by docs/api.md) and the OpenAPI document itself
 * (served by the site). Both are git-ignored: `npm run docs:build` and `npm run docs:dev` run this first.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../../functions/openapi-document.js';
import { GENERATED_FILES, renderApiReference } from './api-reference.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const document = buildOpenApiDocument();
const outputs = [
  [GENERATED_FILES.page, renderApiReference(document)],
  [GENERATED_FILES.document, `${JSON.stringify(document, null, 2)}\n`],
] as const;
for (const [path, text] of outputs) {
  mkdirSync(dirname(join(ROOT, path)), { recursive: true });
  writeFileSync(join(ROOT, path), text);
}
console.log(`docs: wrote ${outputs.map(([path]) => path).join(' and ')}`);

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { operationAnchor, renderApiReference, schemaAnchor } from '../../docs/.vitepress/api-reference.js';
import { buildOpenApiDocument } from '../../functions/openapi-document.js';
import { ROUTES } from '../../functions/routes.js';

describe('the generated API reference', () => {
  const document = buildOpenApiDocument();
  const page = renderApiReference(document);

  it('has a section for every method of every route', () => {
    const missing = ROUTES.flatMap((route) =>
      route.methods.map(
        (method) => `### \`${method} ${route.path}\` {#${operationAnchor(method, route.path)}}`,
      ),
    ).filter((heading) => !page.includes(heading));
    assert.deepEqual(missing, []);
  });

  it('has a section for every schema, and every link to a schema reaches one', () => {
    const schemas = Object.keys((document['components'] as { schemas: object }).schemas);
    const anchors = new Set([...page.matchAll(/\{#([a-z0-9-]+)\}$/gm)].map((match) => match[1]));
    assert.deepEqual(
      schemas.filter((name) => !anchors.has(schemaAnchor(name))),
      [],
    );
    const links = [...page.matchAll(/\]\(#([a-z0-9-]+)\)/g)].map((match) => match[1]);
    assert.ok(links.length > 0);
    assert.deepEqual(
      links.filter((anchor) => !anchors.has(anchor)),
      [],
    );
  });

  it('escapes what Vue or HTML would read outside code spans', () => {
    const text = page.replace(/`[^`]*`/g, '');
    assert.doesNotMatch(text, /\{\{|<(?!!--)/);
  });
});

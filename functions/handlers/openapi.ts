import { httpHandler } from '../http-handler.js';
import { buildOpenApiDocument } from '../openapi-document.js';
import { jsonTextResponse } from '../responses.js';

let document: string | undefined;

/** GET /openapi.json: generated once per instance from the schemas the handlers validate with. */
export const handler = httpHandler({ route: 'openapi' }, async () => {
  document ??= JSON.stringify(buildOpenApiDocument());
  return jsonTextResponse(document, 200, { 'Cache-Control': 'public, max-age=300' });
});

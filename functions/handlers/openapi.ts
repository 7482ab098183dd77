import { httpHandler, type ApiHandler } from '../http-handler.js';
import type { Runtime } from '../runtime.js';
import { buildOpenApiDocument } from '../openapi-document.js';
import { jsonTextResponse } from '../responses.js';

/** GET /openapi.json: generated once per handler from the schemas the handlers validate with. */
export function openapiHandler(runtime: Pick<Runtime, 'config'>): ApiHandler {
  let document: string | undefined;
  return httpHandler({ route: 'openapi', corsOrigins: runtime.config.serving.cors_origins }, async () => {
    document ??= JSON.stringify(buildOpenApiDocument());
    return jsonTextResponse(document, 200, { 'Cache-Control': 'public, max-age=300' });
  });
}

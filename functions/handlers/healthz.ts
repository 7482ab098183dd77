import { httpHandler, type ApiHandler } from '../http-handler.js';
import type { Runtime } from '../runtime.js';
import { jsonResponse } from '../responses.js';
import { HealthResponseSchema } from '../schemas/health.js';

/** GET /healthz: the process is alive. Deliberately touches neither storage nor the exchange. */
export function healthzHandler(runtime: Pick<Runtime, 'config'>): ApiHandler {
  return httpHandler({ route: 'healthz', corsOrigins: runtime.config.serving.cors_origins }, async () =>
    jsonResponse(HealthResponseSchema, { status: 'ok', uptime_seconds: process.uptime() }),
  );
}

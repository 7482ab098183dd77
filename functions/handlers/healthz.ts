import { httpHandler, type ApiHandler } from '../http-handler.js';
import { jsonResponse } from '../responses.js';
import { HealthResponseSchema } from '../schemas.js';

/** GET /healthz: the process is alive. Deliberately touches neither storage nor the exchange. */
export function healthzHandler(): ApiHandler {
  return httpHandler({ route: 'healthz' }, async () =>
    jsonResponse(HealthResponseSchema, { status: 'ok', uptime_seconds: process.uptime() }),
  );
}

import { healthzHandler } from '../handlers/healthz.js';
import { startup } from './startup.js';

/** The Lambda entry of GET /healthz. */
export const handler = healthzHandler(startup);

import { healthzHandler } from '../handlers/healthz.js';
import { startup } from './init.js';

/** The Lambda entry of GET /healthz. */
export const handler = healthzHandler(startup);

import { openapiHandler } from '../handlers/openapi.js';
import { startup } from './init.js';

/** The Lambda entry of GET /openapi.json. */
export const handler = openapiHandler(startup);

import { openapiHandler } from '../handlers/openapi.js';
// The configuration alone (startup.js), not init.js's runtime: the document needs no store, no model and
// no onnxruntime, and its bundle then carries none of them.
import { startup } from './startup.js';

/** The Lambda entry of GET /openapi.json. */
export const handler = openapiHandler(startup);

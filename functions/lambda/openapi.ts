import { openapiHandler } from '../handlers/openapi.js';
// Imported for its side effect: a bad configuration stops this function at init, as it stops the others.
import './init.js';

/** The Lambda entry of GET /openapi.json. */
export const handler = openapiHandler();

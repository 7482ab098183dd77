import { healthzHandler } from '../handlers/healthz.js';
// Imported for its side effect: a bad configuration stops this function at init, as it stops the others.
import './init.js';

/** The Lambda entry of GET /healthz. */
export const handler = healthzHandler();

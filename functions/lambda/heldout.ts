import { heldoutHandler } from '../handlers/heldout.js';
import { runRecords } from './run-records.js';
import { startup } from './startup.js';

/** The Lambda entry of GET /heldout. */
export const handler = heldoutHandler({ config: startup.config, runs: runRecords });

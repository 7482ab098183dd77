import { runsHandler } from '../handlers/runs.js';
import { runRecords } from './run-records.js';
import { startup } from './startup.js';

/** The Lambda entry of GET /runs. */
export const handler = runsHandler({ config: startup.config, runs: runRecords });

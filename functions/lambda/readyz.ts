import { readyzHandler } from '../handlers/readyz.js';
import { lambdaRuntime } from './init.js';

/** The Lambda entry of GET /readyz. */
export const handler = readyzHandler(lambdaRuntime());

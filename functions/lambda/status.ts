import { statusHandler } from '../handlers/readyz.js';
import { lambdaRuntime } from './init.js';

/** The Lambda entry of GET /status (operators). */
export const handler = statusHandler(lambdaRuntime());

import { reloadHandler } from '../handlers/reload.js';
import { lambdaRuntime } from './init.js';

/** The Lambda entry of POST /models/reload. */
export const handler = reloadHandler(lambdaRuntime());

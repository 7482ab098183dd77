import { modelsHandler } from '../handlers/models.js';
import { lambdaRuntime } from './init.js';

/** The Lambda entry of GET /models. */
export const handler = modelsHandler(lambdaRuntime());

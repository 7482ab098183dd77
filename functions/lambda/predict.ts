import { predictHandler } from '../handlers/predict.js';
import { lambdaRuntime } from './init.js';

/** The Lambda entry of GET/PUT /predict. */
export const handler = predictHandler(lambdaRuntime());

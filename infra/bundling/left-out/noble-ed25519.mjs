import { leftOutObject } from './left-out.mjs';

// Binance signs private requests with it when given an Ed25519 key; the functions read public candles.
export const ed25519 = leftOutObject('@noble/curves/ed25519.js', 'Ed25519 signing of private requests');

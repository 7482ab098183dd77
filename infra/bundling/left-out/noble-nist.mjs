import { leftOutObject } from './left-out.mjs';

export const p256 = leftOutObject('@noble/curves/nist.js', 'P-256 signing, for exchanges other than Binance');

import { leftOutObject } from './left-out.mjs';

export const secp256k1 = leftOutObject(
  '@noble/curves/secp256k1.js',
  'ECDSA signing, for exchanges other than Binance',
);

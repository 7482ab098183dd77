import { leftOut } from './left-out.mjs';

const fail = leftOut('@scure/starknet', 'StarkNet signing, for exchanges other than Binance');

export const getStarkKey = fail;
export const ethSigToPrivate = fail;
export const sign = fail;
export const pedersen = fail;
export const keccak = fail;
export const poseidonHashMany = fail;

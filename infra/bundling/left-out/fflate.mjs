import { leftOut } from './left-out.mjs';

const fail = leftOut('fflate', "ccxt pro's websocket decompression outside Node");

export const gunzipSync = fail;
export const inflateSync = fail;

import { leftOut } from './left-out.mjs';

const fail = leftOut('ws', "ccxt pro's websockets");

export default class WebSocket {
  constructor() {
    fail();
  }
}
export const createWebSocketStream = fail;

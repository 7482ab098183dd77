import { createHash } from 'node:crypto';

/** Lower-case hex sha256 of the bytes, as recorded in manifest.json. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

import { existsSync } from 'node:fs';
import { CHROMIUM } from '../../local/dev-server/chromium.js';

export { CHROMIUM, CHROMIUM_ARGS, launchChromium, type Browser } from '../../local/dev-server/chromium.js';

/**
 * Outside CI a machine without Chromium skips the page tests and says why; in CI (CI=true, which .ci/run
 * sets after installing Debian's chromium) a missing browser is a failure, never a skip.
 */
export const browserMissing: string | false = existsSync(CHROMIUM)
  ? false
  : process.env['CI'] === 'true'
    ? false
    : `${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`;

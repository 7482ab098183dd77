/**
 * Numbers as the dashboard writes them. Pure, without the DOM: the page's script and the page test
 * format with the same functions, so a test compares the page's words with the API's numbers.
 */

/** Enough decimals for an hour's move to show: cents on BTC, six places on a coin worth cents. */
function decimals(price: number): number {
  return Math.abs(price) >= 1000 ? 2 : Math.abs(price) >= 1 ? 4 : 6;
}

/** A price with the decimals of `reference`, so that prices side by side line up. */
export function money(value: number, reference = value): string {
  const d = decimals(reference);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** Quote currencies worth a US dollar, whose prices read best with a dollar sign. */
const DOLLAR_QUOTES: ReadonlySet<string> = new Set(['USD', 'USDT', 'USDC', 'FDUSD', 'TUSD', 'DAI', 'BUSD']);

/** A price in its quote currency: $31,782.55 for USDT, 0.051234 BTC for a BTC quote. */
export function quotePrice(value: number, quote: string, reference = value): string {
  return DOLLAR_QUOTES.has(quote) ? `$${money(value, reference)}` : `${money(value, reference)} ${quote}`;
}

/** One decimal with its sign, the minus as U+2212 like the rest of the page: +2.4%, −1.8%. */
export function signedPercent(fraction: number): string {
  const text = Math.abs(100 * fraction).toFixed(1);
  return `${fraction < 0 && text !== '0.0' ? '\u2212' : '+'}${text}%`;
}

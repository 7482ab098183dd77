/** The names every loopback listener answers to: what a client on this machine may put in Host. */
export const LOOPBACK_HOSTNAMES = ['127.0.0.1', 'localhost', '::1'] as const;

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** A host name as the request guard compares it: lower case, an IPv6 address without brackets. */
export function normalizeHostname(name: string): string {
  const bare = name.replace(/^\[|\]$/g, '');
  const literal = bare.includes(':') ? `[${bare}]` : bare;
  try {
    return new URL(`http://${literal}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return bare.toLowerCase();
  }
}

function isLoopback(name: string): boolean {
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * The Host names the server accepts when it listens on `host`: its own address, and for a loopback
 * address the other loopback names too (the SDK sends the endpoint's name: 127.0.0.1 or localhost).
 * A wildcard listener (0.0.0.0, ::) also answers to the machine's own addresses (`addresses`, from
 * os.networkInterfaces()). Only names: a DNS-rebinding page's Host is a name that is not on this
 * list, whatever its port.
 */
export function ownHostnames(host: string, addresses: readonly string[] = []): string[] {
  const own = normalizeHostname(host);
  const names: string[] = [];
  if (WILDCARDS.has(own)) names.push(...LOOPBACK_HOSTNAMES, ...addresses.map(normalizeHostname));
  else if (isLoopback(own)) names.push(own, ...LOOPBACK_HOSTNAMES);
  else names.push(own);
  return [...new Set(names)];
}

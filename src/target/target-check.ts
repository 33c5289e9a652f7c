/**
 * Whether credentials may go to a target over plain http. Only loopback may be reached that way
 * without --allow-insecure-http, and a name counts as loopback only when it resolves, every
 * address of it, to loopback: `evil.localhost` that a resolver points elsewhere does not pass by
 * its spelling. (A later lookup could answer otherwise; undici resolves again when it connects,
 * so this refuses the names that are not loopback now, and the spelling decides nothing.)
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConformanceError } from '../shared/errors.ts';

/** Whether an IP address (v4 or v6, v4-mapped included) is a loopback address. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/**
 * Throws a TARGET_INVALID ConformanceError (exit 2) when `target` is plain http to a host that is
 * not loopback (an address that is not, a name that does not resolve, or one of whose addresses is
 * not) and `allowInsecureHttp` is off. The message names the host, never credentials (a target
 * URL holds none: src/suite/config.ts refuses it first).
 */
export async function ensureSafeTransport(
  target: string,
  allowInsecureHttp: boolean,
  resolveName: (host: string) => Promise<{ address: string }[]> = (host) =>
    lookup(host, { all: true, verbatim: true }),
): Promise<void> {
  const url = new URL(target);
  if (url.protocol !== 'http:' || allowInsecureHttp) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const refuse = (why: string): never => {
    throw new ConformanceError(
      'TARGET_INVALID',
      `target ${url.origin}: refusing to send credentials over plain http to a host that is not loopback (${why}); use https (or --allow-insecure-http)`,
    );
  };
  if (isIP(host)) {
    if (!isLoopbackAddress(host)) refuse(`${host} is not a loopback address`);
    return;
  }
  let addresses: { address: string }[];
  try {
    addresses = await resolveName(host);
  } catch {
    return refuse(`${host} does not resolve, so it cannot be shown to be loopback`);
  }
  const outside = addresses.filter((entry) => !isLoopbackAddress(entry.address));
  if (addresses.length === 0 || outside.length > 0)
    refuse(`${host} resolves to ${outside.map((entry) => entry.address).join(', ') || 'nothing'}`);
}

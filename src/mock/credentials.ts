/** Reading the credentials of a request: HTTP Basic (RFC 7617) for clients, Bearer (RFC 6750) for tokens. */

export type BasicCredentials =
  | { kind: 'absent' }
  | { kind: 'invalid' }
  | { kind: 'basic'; clientId: string; clientSecret: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The client id and secret of an `Authorization: Basic` header, taken raw (not percent-decoded:
 * the live service compares the raw id). `invalid` for another scheme, bad base64, bad UTF-8 or
 * no colon.
 */
export function parseBasic(header: string | undefined): BasicCredentials {
  if (header === undefined) return { kind: 'absent' };
  const match = /^Basic +(\S+) *$/i.exec(header.trim());
  const encoded = match?.[1];
  if (!encoded || !BASE64.test(encoded)) return { kind: 'invalid' };
  let decoded: string;
  try {
    decoded = UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    return { kind: 'invalid' };
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return { kind: 'invalid' };
  return {
    kind: 'basic',
    clientId: decoded.slice(0, colon),
    clientSecret: decoded.slice(colon + 1),
  };
}

/** The token of an `Authorization: Bearer` header, or `undefined` (absent, other scheme, empty). */
export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header.trim());
  return match?.[1];
}

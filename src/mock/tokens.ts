/** Access tokens: compact JWS, ES512 over P-521 (RFC 7515, RFC 7518 §3.4). */

import {
  createHash,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';

export const TOKEN_AUDIENCE = 'api://admin';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK, with `kid`, `alg` and `use`. */
  publicJwk: JsonWebKey & { kid: string; alg: 'ES512'; use: 'sig' };
}

export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
}

export interface TokenClaims {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
}

/** A fresh P-521 key pair; `kid` is its RFC 7638 thumbprint. */
export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const jwk = publicKey.export({ format: 'jwk' });
  const thumbprintInput = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const kid = createHash('sha256').update(thumbprintInput).digest('base64url');
  return { kid, privateKey, publicKey, publicJwk: { ...jwk, kid, alg: 'ES512', use: 'sig' } };
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Signs claims as a compact JWS with header `{"alg":"ES512","typ":"JWT","kid":...}`. */
export function signJwt(key: SigningKey, claims: TokenClaims): string {
  const header: JwtHeader = { alg: 'ES512', typ: 'JWT', kid: key.kid };
  const input = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  const signature = sign('sha512', Buffer.from(input, 'ascii'), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const ES512_SIGNATURE_BYTES = 132;

function decodeSegment(segment: string): unknown {
  if (!SEGMENT.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Header and claims of a JWS this key signed, or `undefined` (bad form, alg, kid or signature). Does not check `exp`. */
export function verifyJwt(
  key: SigningKey,
  token: string,
): { header: JwtHeader; claims: TokenClaims } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeSegment(headerPart);
  const claims = decodeSegment(payloadPart);
  if (!isRecord(header) || !isRecord(claims) || !SEGMENT.test(signaturePart)) return undefined;
  if (header.alg !== 'ES512' || header.kid !== key.kid) return undefined;
  // Only the canonical encoding of a 132-byte (2 x 66) P-521 signature: base64url decoding is
  // lenient, and a token with a trailing character added must not stay valid.
  const signature = Buffer.from(signaturePart, 'base64url');
  if (signature.length !== ES512_SIGNATURE_BYTES) return undefined;
  if (signature.toString('base64url') !== signaturePart) return undefined;
  const ok = verify(
    'sha512',
    Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'),
    { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
    signature,
  );
  if (!ok) return undefined;
  if (
    typeof claims.sub !== 'string' ||
    typeof claims.jti !== 'string' ||
    typeof claims.exp !== 'number' ||
    typeof claims.iat !== 'number'
  ) {
    return undefined;
  }
  return { header: header as unknown as JwtHeader, claims: claims as unknown as TokenClaims };
}

/** A random token id. */
export function newJti(): string {
  return randomUUID();
}

/**
 * Access tokens: compact JWS, ES512 over P-521 (RFC 7515, RFC 7518 §3.4), as the docs' sample
 * token's header (`{"alg":"ES512","typ":"JWT",...}`) shows. For load tests of clients and
 * gateways the mock can issue cheaper ones instead (MockOptions.tokenFormat): ES256 over P-256,
 * EdDSA over Ed25519 (RFC 8037), or opaque random strings; those depart from the docs' sample.
 */

import {
  createHash,
  generateKeyPair,
  type JsonWebKey,
  type KeyObject,
  randomFillSync,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';

export const TOKEN_AUDIENCE = 'api://admin';

/** What the mock issues: a JWS signed with one of these algorithms, or an opaque string. */
export type TokenFormat = 'ES512' | 'ES256' | 'EdDSA' | 'opaque';
export const TOKEN_FORMATS: readonly TokenFormat[] = ['ES512', 'ES256', 'EdDSA', 'opaque'];

/** The JWS algorithms the mock signs with (RFC 7518 §3.1, RFC 8037 §3.1). */
export type SigningAlg = Exclude<TokenFormat, 'opaque'>;

export interface SigningKey {
  alg: SigningAlg;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK, with `kid`, `alg` and `use`. */
  publicJwk: JsonWebKey & { kid: string; alg: SigningAlg; use: 'sig' };
}

/** How each algorithm signs: the digest, the key, and the signature's fixed length in bytes. */
const ALGORITHMS: Record<
  SigningAlg,
  { digest: string | null; keyType: 'ec' | 'ed25519'; curve?: string; signatureBytes: number }
> = {
  ES512: { digest: 'sha512', keyType: 'ec', curve: 'P-521', signatureBytes: 132 },
  ES256: { digest: 'sha256', keyType: 'ec', curve: 'P-256', signatureBytes: 64 },
  EdDSA: { digest: null, keyType: 'ed25519', signatureBytes: 64 },
};

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

/**
 * A fresh key pair for `alg` (default ES512, P-521), generated off the main thread (libuv's pool);
 * `kid` is its RFC 7638 thumbprint.
 */
export async function createSigningKey(alg: SigningAlg = 'ES512'): Promise<SigningKey> {
  const { keyType, curve } = ALGORITHMS[alg];
  const { privateKey, publicKey } = await new Promise<{
    privateKey: KeyObject;
    publicKey: KeyObject;
  }>((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      error ? reject(error) : resolve({ privateKey, publicKey });
    if (keyType === 'ec') generateKeyPair('ec', { namedCurve: curve as string }, done);
    else generateKeyPair('ed25519', {}, done);
  });
  const jwk = publicKey.export({ format: 'jwk' });
  // RFC 7638 §3.2: the required members, in lexicographic order.
  const thumbprintInput =
    jwk.kty === 'OKP'
      ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const kid = createHash('sha256').update(thumbprintInput).digest('base64url');
  return { alg, kid, privateKey, publicKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The JWS signing input (`header.payload`) of claims, header `{"alg":...,"typ":"JWT","kid":...}`. */
export function signingInput(key: SigningKey, claims: TokenClaims): string {
  return `${headerSegment(key)}.${encodeSegment(claims)}`;
}

/** Each key's encoded JWS header, made once: it is the same for every token the key signs. */
const HEADER_SEGMENTS = new WeakMap<SigningKey, string>();

function headerSegment(key: SigningKey): string {
  let segment = HEADER_SEGMENTS.get(key);
  if (segment === undefined) {
    const header: JwtHeader = { alg: key.alg, typ: 'JWT', kid: key.kid };
    segment = encodeSegment(header);
    HEADER_SEGMENTS.set(key, segment);
  }
  return segment;
}

/** The digest `key`'s algorithm signs with (`null` for EdDSA, which hashes for itself). */
export function digestOf(key: SigningKey): string | null {
  return ALGORITHMS[key.alg].digest;
}

/** Signs a JWS signing input with `key` (on this thread): the raw signature (IEEE P1363 for ECDSA). */
export function signInput(key: SigningKey, input: string): Buffer {
  return sign(ALGORITHMS[key.alg].digest, Buffer.from(input, 'ascii'), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
}

/**
 * Signs a JWS signing input with `key` on libuv's thread pool (node:crypto's one-shot sign with a
 * callback), off the event loop: resolves to the raw signature (IEEE P1363 for ECDSA).
 */
export function signInputOffThread(key: SigningKey, input: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sign(
      ALGORITHMS[key.alg].digest,
      Buffer.from(input, 'ascii'),
      { key: key.privateKey, dsaEncoding: 'ieee-p1363' },
      (error, signature) => (error ? reject(error) : resolve(signature)),
    );
  });
}

/** Signs claims as a compact JWS with header `{"alg":...,"typ":"JWT","kid":...}`. */
export function signJwt(key: SigningKey, claims: TokenClaims): string {
  const input = signingInput(key, claims);
  return `${input}.${signInput(key, input).toString('base64url')}`;
}

/** Bytes of an opaque token, and how many tokens' worth of random bytes are drawn at once. */
const OPAQUE_BYTES = 32;
const OPAQUE_BATCH = 128;
const randomPool = Buffer.alloc(OPAQUE_BYTES * OPAQUE_BATCH);
let randomAt = randomPool.length;

/**
 * An opaque access token: 32 random bytes, base64url (no structure a client may rely on). The
 * bytes come from the CSPRNG 128 tokens' worth at a time, each used once (as Node's own
 * `randomUUID` draws them): one call to the CSPRNG per token was a twentieth of an opaque
 * token's CPU time in a profile under load.
 */
export function opaqueToken(): string {
  if (randomAt + OPAQUE_BYTES > randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  const token = randomPool.toString('base64url', randomAt, randomAt + OPAQUE_BYTES);
  randomAt += OPAQUE_BYTES;
  return token;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

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
  if (header.alg !== key.alg || header.kid !== key.kid) return undefined;
  // Only the canonical encoding of a signature of the algorithm's length (132 bytes, 2 x 66, for
  // P-521): base64url decoding is lenient, and a token with a trailing character added must not
  // stay valid.
  const signature = Buffer.from(signaturePart, 'base64url');
  if (signature.length !== ALGORITHMS[key.alg].signatureBytes) return undefined;
  if (signature.toString('base64url') !== signaturePart) return undefined;
  const ok = verify(
    ALGORITHMS[key.alg].digest,
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

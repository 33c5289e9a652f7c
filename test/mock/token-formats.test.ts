// What access tokens are: ES512 JWTs as the docs show (signed on a worker pool once the endpoint
// is busy), or, for load tests (issue 17), ES256 or EdDSA JWTs, or opaque strings.
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenSigner } from '../../src/mock/sign-pool.ts';
import { createTokenStore } from '../../src/mock/token-store.ts';
import { createSigningKey, opaqueToken, type TokenFormat } from '../../src/mock/tokens.ts';
import { b64urlJson, basic, FORM, send, tokenRequest, useMock } from './helpers.ts';

const start = useMock();
const UNLIMITED = { requests: 100_000, windowSeconds: 60 };

function probe(url: string, token: string) {
  return send(`${url}/api/atlas/v2/`, { headers: { authorization: `Bearer ${token}` } });
}

describe('tokenFormat', () => {
  it.each([
    ['ES256', 'sha256', 'prime256v1', 64],
    ['EdDSA', null, undefined, 64],
  ] as const)(
    '%s: a JWT of the same claims that verifies with the public key',
    async (format, digest, curve, bytes) => {
      const mock = await start({ tokenFormat: format, rateLimit: UNLIMITED });
      expect(mock.tokenFormat).toBe(format);
      const token: string = JSON.parse(
        (await tokenRequest(mock.url, mock.accounts.primary)).text,
      ).access_token;
      const [header = '', payload = '', signature = ''] = token.split('.');
      expect(b64urlJson(header)).toEqual({ alg: format, typ: 'JWT', kid: mock.publicJwk?.kid });
      expect(b64urlJson(payload)).toMatchObject({ sub: mock.accounts.primary.clientId });
      const key = createPublicKey({ key: mock.publicJwk as JsonWebKey, format: 'jwk' });
      if (curve) expect(key.asymmetricKeyDetails?.namedCurve).toBe(curve);
      else expect(key.asymmetricKeyType).toBe('ed25519');
      const sig = Buffer.from(signature, 'base64url');
      expect(sig).toHaveLength(bytes);
      const input = Buffer.from(`${header}.${payload}`);
      expect(verify(digest, input, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      expect((await probe(mock.url, token)).status).toBe(200);
    },
  );

  it('opaque: a random string the probe and revocation know; no key', async () => {
    const mock = await start({ tokenFormat: 'opaque', rateLimit: UNLIMITED });
    expect(mock.publicJwk).toBeUndefined();
    const res = await tokenRequest(mock.url, mock.accounts.primary);
    const body = JSON.parse(res.text);
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect((await probe(mock.url, body.access_token)).status).toBe(200);
    // Another client's token is refused and left alone; the owner's revocation takes it.
    const revoke = (account: typeof mock.accounts.primary) =>
      send(`${mock.url}/api/oauth/revoke`, {
        method: 'POST',
        headers: { authorization: basic(account), 'content-type': FORM },
        body: `token=${body.access_token}`,
      });
    expect((await revoke(mock.accounts.secondary)).status).toBe(400);
    expect((await probe(mock.url, body.access_token)).status).toBe(200);
    expect((await revoke(mock.accounts.primary)).status).toBe(200);
    expect((await probe(mock.url, body.access_token)).status).toBe(401);
  });

  it('opaque tokens drawn in batches: each distinct, across refills, 32 bytes each', () => {
    const tokens = Array.from({ length: 300 }, () => opaqueToken());
    expect(new Set(tokens).size).toBe(300);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
  });

  it('refuses an unknown format', async () => {
    await expect(start({ tokenFormat: 'HS256' as TokenFormat })).rejects.toThrow(
      /tokenFormat must be one of ES512, ES256, EdDSA, opaque/,
    );
  });
});

describe('ES512 signing pool', () => {
  it('a busy endpoint signs on worker threads: every token verifies and works', async () => {
    const mock = await start({ rateLimit: UNLIMITED, maxActiveTokens: 1000, signingThreads: 2 });
    const responses = await Promise.all(
      Array.from({ length: 60 }, () => tokenRequest(mock.url, mock.accounts.primary)),
    );
    expect(responses.map((res) => res.status)).toEqual(responses.map(() => 200));
    const key = createPublicKey({ key: mock.publicJwk as JsonWebKey, format: 'jwk' });
    const tokens = responses.map((res) => JSON.parse(res.text).access_token as string);
    expect(new Set(tokens).size).toBe(60);
    for (const token of tokens) {
      const [header = '', payload = '', signature = ''] = token.split('.');
      const ok = verify(
        'sha512',
        Buffer.from(`${header}.${payload}`),
        { key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
      expect(ok).toBe(true);
    }
    expect((await probe(mock.url, tokens.at(-1) ?? '')).status).toBe(200);
  });

  it('starts no worker until the endpoint is busy, then signs there', async () => {
    const key = await createSigningKey();
    let now = 0;
    const signer = createTokenSigner(key, 1, () => now);
    const store = createTokenStore({ key, issuer: 'x', lifetimeSeconds: 60, signer });
    // Twenty a second: each signed at once, on this thread.
    for (let i = 0; i < 20; i++) expect(store.issueAsync('a')).not.toBeInstanceOf(Promise);
    now += 1000;
    for (let i = 0; i < 20; i++) store.issueAsync('a');
    const pooled = store.issueAsync('a');
    expect(pooled).toBeInstanceOf(Promise);
    // Counted as active from the moment it was asked for, live once signed.
    expect(store.activeCount('a')).toBe(41);
    const issued = await pooled;
    expect(store.isLive(issued.accessToken)).toBe(true);
    await signer.close();
  });

  it('a token revoked while it is being signed never becomes live', async () => {
    const key = await createSigningKey();
    const signer = createTokenSigner(key, 1, () => 0);
    const store = createTokenStore({ key, issuer: 'x', lifetimeSeconds: 60, signer });
    for (let i = 0; i < 21; i++) store.issueAsync('a');
    const pending = store.issueAsync('a');
    expect(store.revokeAll('a')).toBe(22);
    const issued = await pending;
    expect(store.isLive(issued.accessToken)).toBe(false);
    expect(store.activeCount('a')).toBe(0);
    await signer.close();
  });
});

// Issue 17: ES256 and EdDSA tokens of a busy endpoint are signed on libuv's thread pool.
describe('ES256 and EdDSA off the event loop', () => {
  it.each([
    ['ES256', 'sha256'],
    ['EdDSA', null],
  ] as const)(
    '%s: on this thread until busy, then off it; every token verifies',
    async (alg, digest) => {
      const key = await createSigningKey(alg);
      let now = 0;
      const signer = createTokenSigner(key, 1, () => now);
      const store = createTokenStore({ key, issuer: 'x', lifetimeSeconds: 60, signer });
      const first = store.issueAsync('a');
      expect(first).not.toBeInstanceOf(Promise);
      for (let i = 0; i < 19; i++) expect(store.issueAsync('a')).not.toBeInstanceOf(Promise);
      const offThread = store.issueAsync('a');
      expect(offThread).toBeInstanceOf(Promise);
      // Busy once, off the loop from then on, as the ES512 pool stays started.
      now += 5000;
      expect(store.issueAsync('a')).toBeInstanceOf(Promise);
      const issued = [first as { accessToken: string }, await offThread];
      for (const { accessToken } of issued) {
        const [header = '', payload = '', signature = ''] = accessToken.split('.');
        const input = Buffer.from(`${header}.${payload}`);
        const sig = Buffer.from(signature, 'base64url');
        expect(sig).toHaveLength(64);
        expect(verify(digest, input, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(
          true,
        );
        expect(b64urlJson(header)).toEqual({ alg, typ: 'JWT', kid: key.kid });
        expect(store.isLive(accessToken)).toBe(true);
      }
      await signer.close();
    },
  );

  it('a token revoked while it is signed off the loop never becomes live', async () => {
    const key = await createSigningKey('ES256');
    const signer = createTokenSigner(key, 1, () => 0);
    const store = createTokenStore({ key, issuer: 'x', lifetimeSeconds: 60, signer });
    for (let i = 0; i < 20; i++) store.issueAsync('a');
    const pending = store.issueAsync('a');
    expect(store.revokeAll('a')).toBe(21);
    const issued = await pending;
    expect(store.isLive(issued.accessToken)).toBe(false);
    expect(store.activeCount('a')).toBe(0);
  });

  it('signingThreads 0 signs every token on this thread', async () => {
    const key = await createSigningKey('EdDSA');
    const signer = createTokenSigner(key, 0, () => 0);
    const store = createTokenStore({ key, issuer: 'x', lifetimeSeconds: 60, signer });
    for (let i = 0; i < 50; i++) expect(store.issueAsync('a')).not.toBeInstanceOf(Promise);
  });
});

describe('token store bookkeeping', () => {
  it('expired tokens stop counting; the count per client needs no scan of every token', async () => {
    let now = 1_000_000_000_000;
    const store = createTokenStore({
      key: null,
      issuer: 'x',
      lifetimeSeconds: 10,
      now: () => now,
    });
    for (let i = 0; i < 3; i++) store.issue('a');
    now += 5000;
    store.issue('a');
    store.issue('b');
    expect(store.activeCount('a')).toBe(4);
    now += 5000;
    expect(store.activeCount('a')).toBe(1);
    expect(store.activeCount('b')).toBe(1);
    now += 5000;
    expect(store.activeCount('a')).toBe(0);
  });
});

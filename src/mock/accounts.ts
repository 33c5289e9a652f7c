/** Service accounts: the documented credential formats, deterministic generation, lookup. */

import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
// One locale's entry point: the package root loads every locale (several MB to compile).
import { faker } from '@faker-js/faker/locale/base';
import { ACCOUNT_ROLES, type Account, type AccountRole, type Accounts } from '../shared/types.ts';

/** Documented client id form: `mdb_sa_id_` and 24 lowercase hex characters. */
export const CLIENT_ID_PATTERN = /^mdb_sa_id_[0-9a-f]{24}$/;
/** Documented client secret form: `mdb_sa_sk_` and 40 alphanumeric characters. */
export const CLIENT_SECRET_PATTERN = /^mdb_sa_sk_[A-Za-z0-9]{40}$/;

/**
 * One account per role (primary, secondary, accessDenied, invalidGrant, tokenLimit), in the documented forms
 * ({@link CLIENT_ID_PATTERN}, {@link CLIENT_SECRET_PATTERN}); the same for the same seed (any
 * integer). The secrets are real to the mock that uses them: keep them out of logs.
 */
export function generateAccounts(seed: number): Required<Accounts> {
  faker.seed(seed);
  const seen = new Set<string>();
  const next = (): Account => {
    for (;;) {
      const account = {
        clientId: `mdb_sa_id_${faker.string.hexadecimal({ length: 24, casing: 'lower', prefix: '' })}`,
        clientSecret: `mdb_sa_sk_${faker.string.alphanumeric({ length: 40 })}`,
      };
      if (!seen.has(account.clientId)) {
        seen.add(account.clientId);
        return account;
      }
    }
  };
  return {
    primary: next(),
    secondary: next(),
    accessDenied: next(),
    invalidGrant: next(),
    // Last, so that a seed gives the other roles the accounts it gave before this role existed.
    tokenLimit: next(),
  };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh random secret in the documented form (not from the seed: a rotation's new secret). */
export function randomClientSecret(): string {
  let secret = 'mdb_sa_sk_';
  for (let i = 0; i < 40; i++) secret += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return secret;
}

/** Generated accounts, with each given role replaced by the given account. */
export function resolveAccounts(seed: number, given: Partial<Accounts> = {}): Required<Accounts> {
  const accounts = generateAccounts(seed);
  for (const role of ACCOUNT_ROLES) {
    const account = given[role];
    if (account)
      accounts[role] = { clientId: account.clientId, clientSecret: account.clientSecret };
  }
  const ids = new Set(ACCOUNT_ROLES.map((role) => accounts[role].clientId));
  if (ids.size !== ACCOUNT_ROLES.length) {
    throw new TypeError('mock accounts: every role needs its own client id');
  }
  return accounts;
}

/** The role of the account with this client id (compared raw, as the live service does). */
export function roleOf(accounts: Required<Accounts>, clientId: string): AccountRole | undefined {
  return ACCOUNT_ROLES.find((role) => accounts[role].clientId === clientId);
}

/** Constant-time comparison (both sides hashed first, so their lengths leak nothing either). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, digestOfExpected(expected));
}

/** The digests of the secrets compared against (the accounts', a handful): each made once. */
const EXPECTED_DIGESTS = new Map<string, Buffer>();
const MAX_EXPECTED_DIGESTS = 64;

function digestOfExpected(expected: string): Buffer {
  let digest = EXPECTED_DIGESTS.get(expected);
  if (!digest) {
    digest = createHash('sha256').update(expected, 'utf8').digest();
    // Bounded whatever calls it: the accounts' secrets are a few, any others are not kept.
    if (EXPECTED_DIGESTS.size < MAX_EXPECTED_DIGESTS) EXPECTED_DIGESTS.set(expected, digest);
  }
  return digest;
}

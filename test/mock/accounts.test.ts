import { describe, expect, it } from 'vitest';
import {
  CLIENT_ID_PATTERN,
  CLIENT_SECRET_PATTERN,
  generateAccounts,
  startMock,
} from '../../src/mock/index.ts';
import { ACCOUNT_ROLES } from '../../src/shared/types.ts';
import { tokenRequest } from './helpers.ts';

describe('generated accounts', () => {
  it('have the documented client id and secret forms', () => {
    const accounts = generateAccounts(1);
    for (const role of ACCOUNT_ROLES) {
      expect(accounts[role].clientId).toMatch(/^mdb_sa_id_[0-9a-f]{24}$/);
      expect(accounts[role].clientSecret).toMatch(/^mdb_sa_sk_[A-Za-z0-9]{40}$/);
      expect(accounts[role].clientId).toMatch(CLIENT_ID_PATTERN);
      expect(accounts[role].clientSecret).toMatch(CLIENT_SECRET_PATTERN);
    }
  });

  it('are deterministic per seed, distinct per role, and differ between seeds', () => {
    expect(generateAccounts(7)).toEqual(generateAccounts(7));
    expect(generateAccounts(7)).not.toEqual(generateAccounts(8));
    const accounts = generateAccounts(7);
    const ids = new Set(ACCOUNT_ROLES.map((role) => accounts[role].clientId));
    expect(ids.size).toBe(ACCOUNT_ROLES.length);
  });

  it('are what the mock uses for its seed; given accounts replace their role only', async () => {
    const given = {
      clientId: 'mdb_sa_id_0123456789abcdef01234567',
      clientSecret: `mdb_sa_sk_${'A1'.repeat(20)}`,
    };
    const mock = await startMock({ seed: 42, accounts: { primary: given } });
    try {
      const generated = generateAccounts(42);
      expect(mock.accounts.primary).toEqual(given);
      expect(mock.accounts.secondary).toEqual(generated.secondary);
      expect(mock.accounts.accessDenied).toEqual(generated.accessDenied);
      expect(mock.accounts.invalidGrant).toEqual(generated.invalidGrant);
      expect((await tokenRequest(mock.url, given)).status).toBe(200);
      expect((await tokenRequest(mock.url, generated.primary)).status).toBe(401);
    } finally {
      await mock.close();
    }
  });
});

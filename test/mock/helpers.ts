/** Helpers for the mock's tests: raw HTTP exchanges (header names in wire order) and credentials. */

import { request } from 'node:http';
import { afterEach, expect } from 'vitest';
import { type MockHandle, type MockOptions, startMock } from '../../src/mock/index.ts';
import { basicCredentials } from '../../src/shared/redact.ts';
import type { Account } from '../../src/shared/types.ts';

export interface RawResponse {
  status: number;
  /** Header names, lowercased, in wire order. */
  names: string[];
  /** Header values by lowercased name. */
  headers: Record<string, string>;
  text: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export function send(url: string, options: SendOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const names: string[] = [];
          const headers: Record<string, string> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] ?? '').toLowerCase();
            names.push(name);
            headers[name] = res.rawHeaders[i + 1] ?? '';
          }
          resolve({
            status: res.statusCode ?? 0,
            names,
            headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export const FORM = 'application/x-www-form-urlencoded';

export function basic(account: Account): string {
  return `Basic ${basicCredentials(account.clientId, account.clientSecret)}`;
}

/** A token request: POST, form body `grant_type=client_credentials`, Basic credentials if given. */
export function tokenRequest(
  baseUrl: string,
  account?: Account,
  options: { query?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': FORM, accept: 'application/json' };
  if (account) headers.authorization = basic(account);
  return send(`${baseUrl}/api/oauth/token${options.query ?? ''}`, {
    method: 'POST',
    headers: { ...headers, ...options.headers },
    body: options.body ?? 'grant_type=client_credentials',
  });
}

/**
 * A revocation request: POST, form body `token=<token>` (plus `token_type_hint=<hint>` if given),
 * Basic credentials if given. `body` replaces the whole form body.
 */
export function revokeRequest(
  baseUrl: string,
  account: Account | undefined,
  token: string,
  options: {
    hint?: string;
    query?: string;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': FORM, accept: 'application/json' };
  if (account) headers.authorization = basic(account);
  const form = new URLSearchParams({ token });
  if (options.hint !== undefined) form.set('token_type_hint', options.hint);
  return send(`${baseUrl}/api/oauth/revoke${options.query ?? ''}`, {
    method: 'POST',
    headers: { ...headers, ...options.headers },
    body: options.body ?? form.toString(),
  });
}

/** The documented header sets, by status (lowercased names, Connection included). */
export const HEADER_SETS = {
  ok: [
    'vary',
    'content-type',
    'strict-transport-security',
    'date',
    'connection',
    'content-length',
    'x-mongodb-service-version',
  ],
  badRequest: [
    'date',
    'content-type',
    'content-length',
    'server',
    'strict-transport-security',
    'x-mongodb-service-version',
    'connection',
  ],
  unauthorized: ['content-type', 'date', 'www-authenticate', 'content-length', 'connection'],
} as const;

export const SERVICE_VERSION = /^gitHash=[0-9a-f]{40}; versionString=v\d{8}$/;

export function sorted(names: readonly string[]): string[] {
  return [...names].sort();
}

export function b64urlJson(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/**
 * A mock per test: returns a starter whose mock is closed after each test. `defaults` are merged
 * under each start's options.
 */
export function useMock(
  defaults: MockOptions = {},
): (options?: MockOptions) => Promise<MockHandle> {
  let mock: MockHandle | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });
  return async (options = {}) => {
    mock = await startMock({ ...defaults, ...options });
    return mock;
  };
}

/** Date present and parseable, Content-Length the body's real length. */
export function expectCommonHeaders(res: RawResponse): void {
  expect(Number.isNaN(Date.parse(res.headers.date ?? ''))).toBe(false);
  expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
}

/** A 400 with the documented 400 header set and an OAuth error body of `error`. */
export function expectBadRequest(res: RawResponse, error: string, description?: string): void {
  expect(res.status).toBe(400);
  expect(sorted(res.names)).toEqual(sorted(HEADER_SETS.badRequest));
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers.server).toBe('mdbws');
  expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubdomains;');
  expect(res.headers['x-mongodb-service-version']).toMatch(SERVICE_VERSION);
  expectCommonHeaders(res);
  const body = JSON.parse(res.text);
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  expect(body.error).toBe(error);
  if (description !== undefined) expect(body.error_description).toBe(description);
  else expect(typeof body.error_description).toBe('string');
}

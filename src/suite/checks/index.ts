/**
 * The one registry of checks, keyed by name. Requirements in specs/ name their check; a name
 * that is not here is refused when the catalog is checked (test/specs.test.ts).
 */

import { checkActiveTokenLimit, checkExpiryEnforced, checkTokenReused } from './expiry.ts';
import { checkMalformedRefused } from './fuzz.ts';
import {
  checkCacheControlNoStore,
  checkContentTypeJson,
  checkPragmaNoCache,
  checkWwwAuthenticate,
  validateHeaderSet,
} from './headers.ts';
import { checkEnvelope, checkPrettyPrinted, checkSameMeaningAsBaseline } from './query.ts';
import {
  checkExactLimit,
  checkRateLimited,
  checkRetryAfterHonest,
  checkStatedLimit,
} from './rate-limit.ts';
import { checkErrorResponse, checkMemberPresent, checkStatus, validateBody } from './response.ts';
import {
  checkNoBody,
  checkOtherTokenSurvives,
  checkReissuedTokenWorks,
  checkTokenRefusedAfterRevoke,
  checkTokenSurvives,
} from './revoke.ts';
import {
  checkExpiresIn,
  checkFormEncodedCredentials,
  checkJwtAlgorithm,
  checkJwtExpiry,
  checkNoRefreshToken,
  checkTokenType,
  checkTokenWorksAtProbe,
} from './token.ts';
import type { CheckEntry } from './types.ts';

export type { CaseResult, Check, CheckContext, CheckEntry, Need, Verdict } from './types.ts';

export const CHECKS: Readonly<Record<string, CheckEntry>> = {
  checkStatus: { check: checkStatus, description: 'status is one of the allowed ones' },
  checkErrorResponse: {
    check: checkErrorResponse,
    description: 'status and error code form an allowed pair',
  },
  validateBody: { check: validateBody, description: 'body is JSON valid against a schema' },
  checkMemberPresent: { check: checkMemberPresent, description: 'body has a member' },
  validateHeaderSet: {
    check: validateHeaderSet,
    description: 'headers include the documented set of the status',
  },
  checkCacheControlNoStore: {
    check: checkCacheControlNoStore,
    description: 'Cache-Control: no-store',
  },
  checkPragmaNoCache: { check: checkPragmaNoCache, description: 'Pragma: no-cache' },
  checkContentTypeJson: {
    check: checkContentTypeJson,
    description: 'Content-Type: application/json',
  },
  checkWwwAuthenticate: {
    check: checkWwwAuthenticate,
    description: 'a 401 carries a WWW-Authenticate challenge',
  },
  checkTokenType: { check: checkTokenType, description: 'token_type has the documented value' },
  checkFormEncodedCredentials: {
    check: checkFormEncodedCredentials,
    description: 'form-urlencoded client credentials in HTTP Basic are accepted',
  },
  checkExpiresIn: { check: checkExpiresIn, description: 'expires_in is the configured lifetime' },
  checkNoRefreshToken: { check: checkNoRefreshToken, description: 'no refresh_token' },
  checkJwtExpiry: {
    check: checkJwtExpiry,
    description: 'access_token is a JWT whose exp agrees with expires_in, exp ahead, iat not',
  },
  checkJwtAlgorithm: {
    check: checkJwtAlgorithm,
    description: "the JWT header's alg is the documented one",
  },
  checkTokenWorksAtProbe: {
    check: checkTokenWorksAtProbe,
    description: 'the token is accepted at the resource probe and a tampered one is not',
    needs: ['resourceProbe'],
  },
  checkSameMeaningAsBaseline: {
    check: checkSameMeaningAsBaseline,
    description: 'same status and body meaning as without the flag',
  },
  checkPrettyPrinted: {
    check: checkPrettyPrinted,
    description:
      'same status and body meaning as without the flag, every member on a line of its own',
  },
  checkEnvelope: { check: checkEnvelope, description: 'envelope wraps the real status and body' },
  checkRateLimited: { check: checkRateLimited, description: 'the burst met a 429' },
  checkExactLimit: {
    check: checkExactLimit,
    description: 'exactly the configured number of requests succeeded before the 429',
  },
  checkStatedLimit: { check: checkStatedLimit, description: 'the 429 states the configured limit' },
  checkRetryAfterHonest: {
    check: checkRetryAfterHonest,
    description: 'a request after waiting the Retry-After succeeds',
  },
  checkNoBody: { check: checkNoBody, description: 'no response body' },
  checkMalformedRefused: {
    check: checkMalformedRefused,
    description: 'every generated malformed request got a 4xx with a valid error body',
  },
  checkTokenRefusedAfterRevoke: {
    check: checkTokenRefusedAfterRevoke,
    description: 'the token worked, and is refused at the probe after revocation',
    needs: ['resourceProbe'],
  },
  checkTokenSurvives: {
    check: checkTokenSurvives,
    description: 'the token worked, and still works after the request',
    needs: ['resourceProbe'],
  },
  checkOtherTokenSurvives: {
    check: checkOtherTokenSurvives,
    description: "the account's other token still works after a revocation",
    needs: ['resourceProbe'],
  },
  checkExpiryEnforced: {
    check: checkExpiryEnforced,
    description: 'the token works just before expires_in has passed and is refused just after',
    needs: ['resourceProbe', 'tokenExpiry'],
  },
  checkActiveTokenLimit: {
    check: checkActiveTokenLimit,
    description: 'a token request past the active-token limit gets 403 access_denied',
    needs: ['tokenLimit'],
  },
  checkTokenReused: {
    check: checkTokenReused,
    description: 'the shared token works at every reuse over the run',
    needs: ['resourceProbe'],
  },
  checkReissuedTokenWorks: {
    check: checkReissuedTokenWorks,
    description: 'a new token can be issued after a revocation, and works',
  },
};

export function getCheck(name: string): CheckEntry {
  const entry = CHECKS[name];
  if (!entry) throw new Error(`unknown check ${name}`);
  return entry;
}

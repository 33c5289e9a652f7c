/**
 * Refusals the RFCs define: error codes a server may answer that mean "I do not do this", with the
 * sentence that defines them and the level at which not doing it is judged. A verdict that failed
 * on such an answer says so, and under a profile held to the RFCs alone (requirementLevels: rfc)
 * it is judged at that level: a server that does not revoke access tokens breaks a SHOULD, not a
 * MUST, however many revocation requirements notice it.
 */
import type { Level } from '../shared/types.ts';

export interface DefinedRefusal {
  /** The `error` code of the body (RFC 6749 §5.2 presentation). */
  error: string;
  status: number;
  endpoint: 'token' | 'revoke';
  /** Where the code is defined, and its definition, quoted. */
  source: { document: string; section: string; quote: string };
  /** What it refuses, in a few words for a reason. */
  refuses: string;
  /**
   * The case whose answer shows the server refuses this generally (revoking a live access token
   * with its hint): only when that case got the same refusal is another case's refusal judged at
   * {@link DefinedRefusal.level}. A server that revokes access tokens and yet answers
   * unsupported_token_type to an unknown hint breaks a MUST (RFC 7009 §2.1), not a SHOULD.
   */
  confirmedBy: string;
  /** The level at which what it refuses is asked for, and the sentence that asks. */
  level: Extract<Level, 'rfc-should' | 'rfc-must'>;
  because: string;
}

export const DEFINED_REFUSALS: readonly DefinedRefusal[] = [
  {
    error: 'unsupported_token_type',
    status: 400,
    endpoint: 'revoke',
    source: {
      document: 'RFC 7009',
      section: '§2.2.1',
      quote:
        'The authorization server does not support the revocation of the presented token type. That is, the client tried to revoke an access token on a server not supporting this feature.',
    },
    refuses: 'the revocation of the presented token type (here: access tokens)',
    confirmedBy: 'revoke-lifecycle',
    level: 'rfc-should',
    because: 'RFC 7009 §2: implementations "SHOULD support the revocation of access tokens"',
  },
];

/**
 * A server that wants a scope the request did not send may refuse it: RFC 6749 §3.3 lets it
 * "fail the request indicating an invalid scope". That is no finding of the server's, and nothing
 * a scope-less request can be judged on: the reason to skip, with the config key that sends one;
 * undefined when the exchange is no such refusal.
 */
export function missingScope(
  endpoint: string,
  request: { body?: string },
  response: { status: number; body: string } | undefined,
): string | undefined {
  if (endpoint !== 'token' || response?.status !== 400) return undefined;
  if (new URLSearchParams(request.body ?? '').has('scope')) return undefined;
  let code: unknown;
  try {
    code = (JSON.parse(response.body) as { error?: unknown } | null)?.error;
  } catch {
    return undefined;
  }
  if (code !== 'invalid_scope') return undefined;
  return 'the server wants a scope the request did not send (400 invalid_scope, which RFC 6749 §3.3 allows: "fail the request indicating an invalid scope"); name one in the config: "tokenRequestParameters": {"scope": "…"}';
}

/** The refusal a response is, if it is one the RFCs define for this endpoint. */
export function definedRefusal(
  endpoint: string,
  status: number,
  errorCode: unknown,
): DefinedRefusal | undefined {
  return DEFINED_REFUSALS.find(
    (refusal) =>
      refusal.endpoint === endpoint && refusal.status === status && refusal.error === errorCode,
  );
}

/** What a reason adds about a defined refusal: what it means and where that is written. */
export function refusalExplained(refusal: DefinedRefusal): string {
  return `the server answered ${refusal.status} ${refusal.error}, the refusal ${refusal.source.document} ${refusal.source.section} defines for a server that does not support ${refusal.refuses}; ${refusal.because}`;
}

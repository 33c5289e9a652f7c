/**
 * How the target wants the suite's client credentials in HTTP Basic. RFC 6749 §2.3.1 has the id
 * and secret form-urlencoded (Appendix B) before they are joined and base64-encoded; many servers
 * compare them raw (the live Atlas service does, and so do Authlib, @node-oauth/oauth2-server and
 * Glewlwyd), which only matters when the credentials hold characters the two encodings treat
 * differently (`+ / = %`, spaces).
 *
 * The success request is sent form-urlencoded; when that is refused (any client error: 401, 400, 403) and
 * the same credentials raw are accepted, the run goes on raw: one finding, not a refusal of every
 * later request. When the token endpoint refuses both (a server that wants a scope, say), the
 * revoke endpoint tells them apart: an unknown token gets 200 from an authenticated client
 * (RFC 7009 §2.2). A config that fixes the encoding is obeyed, and nothing is tried.
 */

import type { Case } from '../../contract/catalog.ts';
import { encodingsDiffer } from '../../shared/redact.ts';
import type { ClientCredentialEncoding } from '../../shared/types.ts';
import type { Exchange, HttpResponse } from '../../target/http.ts';
import type { CredentialEncodingFacts } from '../checks/facts.ts';
import type { CaseResult } from '../checks/index.ts';
import { buildRequest, sendPaced } from '../execute.ts';
import type { Session } from '../session.ts';

export type { CredentialEncodingFacts } from '../checks/facts.ts';

/** A success: the credentials were accepted. */
const accepted = (response: HttpResponse | undefined) =>
  response !== undefined && response.status >= 200 && response.status < 300;

/**
 * A refusal of the request as sent: a client error, whatever 4xx the server chose for it (401,
 * 400, Glewlwyd's 403). A 5xx, a timeout (408) or a rate limit (429) says nothing about the
 * credentials: a transient 503 on the first request must not read as "form-urlencoded refused".
 */
const refused = (response: HttpResponse | undefined) =>
  response !== undefined &&
  response.status >= 400 &&
  response.status < 500 &&
  response.status !== 408 &&
  response.status !== 429;

export async function negotiateCredentialEncoding(session: Session, c: Case): Promise<CaseResult> {
  const { run } = session;
  const notes: string[] = [];
  const account = run.accounts.primary;
  const differ = encodingsDiffer(account.clientId, account.clientSecret);
  const tried: CredentialEncodingFacts['tried'] = [];
  const steps: Record<string, Exchange> = {};
  const attempt = async (
    encoding: ClientCredentialEncoding,
    endpoint: 'token' | 'revoke',
  ): Promise<Exchange> => {
    session.credentialEncoding = encoding;
    const recipe =
      endpoint === 'token'
        ? c
        : {
            ...c,
            endpoint,
            // No token of this client: an authenticated client gets 200 (RFC 7009 §2.2).
            request: { auth: c.request.auth, form: { token: `unknown-token-${run.seed}` } },
          };
    const { request, clientId } = buildRequest(session, recipe as Case);
    const exchange = await sendPaced(session, request, clientId, notes);
    tried.push({ encoding, endpoint, status: exchange.response?.status });
    steps[`${endpoint} ${encoding}`] = exchange;
    return exchange;
  };

  const first: ClientCredentialEncoding = run.clientCredentialEncodingFixed
    ? run.clientCredentialEncoding
    : 'form-urlencoded';
  const exchange = await attempt(first, 'token');
  let adopted = first;
  if (differ && !run.clientCredentialEncodingFixed && refused(exchange.response)) {
    adopted = run.clientCredentialEncoding;
    const raw = await attempt('raw', 'token');
    if (accepted(raw.response)) adopted = 'raw';
    else if (refused(raw.response)) {
      // Refused both ways at the token endpoint: for another reason, or both ways for good.
      const form = await attempt('form-urlencoded', 'revoke');
      if (refused(form.response) && accepted((await attempt('raw', 'revoke')).response))
        adopted = 'raw';
    }
    if (adopted === 'raw')
      notes.push(
        'the form-urlencoded credentials were refused and the raw ones accepted: the rest of the run sends them raw',
      );
  }
  session.credentialEncoding = adopted;
  const facts: CredentialEncodingFacts = {
    differ,
    fixed: run.clientCredentialEncodingFixed,
    tried,
    adopted,
  };
  return { exchange, notes, steps, facts: { of: 'credential-encoding', ...facts } };
}

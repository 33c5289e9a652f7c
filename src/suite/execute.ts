/** Runs plain cases: builds the request from the case's recipe, sends it within the budget, records what came back. */
import { appendFileSync } from 'node:fs';
import type { Case } from '../contract/catalog.ts';
import { findCase } from '../contract/catalog.ts';
import { missingScope } from '../contract/refusals.ts';
import { CaseSetupError } from '../shared/errors.ts';
import { basicCredentials, encodingsDiffer } from '../shared/redact.ts';
import { quoted } from '../shared/text.ts';
import { type BudgetKey, keyLabel, retryAfterSeconds } from '../target/budget.ts';
import {
  type Exchange,
  type HttpRequest,
  type HttpResponse,
  parseJson,
  send,
} from '../target/http.ts';
import { boundTargetWait } from '../target/waits.ts';
import { caseRole, freshTokenRole } from './assignment.ts';
import type { CaseResult } from './checks/index.ts';
import { fakerFor, generatedClientId, generatedSecret } from './fuzz-inputs.ts';
import { statedLimit } from './rate-limit-text.ts';
import type { Session } from './session.ts';

export { generatedClientId, generatedSecret } from './fuzz-inputs.ts';

export function endpointPath(session: Session, endpoint: Case['endpoint']): string {
  const { paths, resourceProbe } = session.run;
  if (endpoint === 'probe') return resourceProbe?.path ?? '/';
  return paths[endpoint];
}

/** The budget key of a request: rate-limited paths count per service account named. */
export function budgetKey(
  session: Session,
  path: string,
  clientId: string | undefined,
): BudgetKey | undefined {
  const limited = [session.run.paths.token, session.run.paths.revoke];
  return limited.includes(path) ? { path, account: clientId ?? '' } : undefined;
}

const PLACEHOLDER = /^\{\{([a-z-]+)\}\}$/;

/**
 * The config's tokenRequestParameters (a scope a server demands, an audience) for a form sent to
 * the token endpoint, less those the form sets itself: each case isolates one fault, and a server
 * that demands a scope would otherwise refuse them all for the same reason.
 */
export function extraTokenParameters(
  session: Session,
  endpoint: Case['endpoint'],
  form: Record<string, string> = {},
): [string, string][] {
  if (endpoint !== 'token') return [];
  return Object.entries(session.run.tokenRequestParameters).filter(([name]) => !(name in form));
}

/**
 * Builds a case's request. Form values of the form `{{name}}` are filled from `values`
 * (see {@link placeholderValues}).
 */
export function buildRequest(
  session: Session,
  c: Case,
  values: Record<string, string> = {},
): { request: HttpRequest; clientId?: string } {
  const { run, redactor } = session;
  const recipe = c.request;
  const path = endpointPath(session, c.endpoint);
  const query = recipe.query ? `?${new URLSearchParams(recipe.query)}` : '';
  const headers: Record<string, string> = {
    accept: 'application/json',
    'cache-control': 'no-cache',
  };
  let clientId: string | undefined;
  const auth = recipe.auth;
  if (auth && 'header' in auth) headers.authorization = auth.header;
  if (auth && 'basic' in auth) {
    const faker = fakerFor(run.seed, c.id);
    // The case's own role, or the ordinary account the plan sends it as (src/suite/plan.ts).
    const role = caseRole(run, c) ?? auth.basic;
    let secret: string;
    if (role === 'unknown') {
      clientId = generatedClientId(faker);
      secret = generatedSecret(faker);
    } else {
      const account = run.accounts[role];
      if (!account) throw new CaseSetupError(`no ${role} account is configured`);
      clientId = account.clientId;
      secret = auth.secret === 'wrong' ? generatedSecret(faker) : account.clientSecret;
    }
    redactor.addCredentials(clientId, secret);
    headers.authorization = `Basic ${basicCredentials(clientId, secret, session.credentialEncoding)}`;
  }
  let body: string | undefined;
  if (recipe.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = Object.entries(recipe.form).map(([name, value]): [string, string] => {
      const placeholder = PLACEHOLDER.exec(value)?.[1];
      if (!placeholder) return [name, value];
      const filled = values[placeholder];
      if (filled === undefined) throw new CaseSetupError(`no value for {{${placeholder}}}`);
      return [name, filled];
    });
    body = new URLSearchParams([
      ...form,
      ...extraTokenParameters(session, c.endpoint, recipe.form),
    ]).toString();
  }
  return {
    request: {
      method: recipe.method ?? 'POST',
      url: `${run.target}${path}${query}`,
      headers,
      body,
    },
    clientId,
  };
}

/** Members whose string values are tokens the run must never show. */
const TOKEN_MEMBERS = new Set(['access_token', 'refresh_token', 'id_token']);
/** For bodies that do not parse: the members as text (a truncated body still carries them). */
const TOKEN_MEMBER_TEXT = /"(?:access|refresh|id)_token"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
/**
 * For bodies that do not parse: the tokens as form parameters, from a server that answers
 * application/x-www-form-urlencoded (GitHub's token endpoint without an Accept header) or text.
 */
const TOKEN_PARAM_TEXT = /(?:^|[&?;\s])(?:access|refresh|id)_token=([^&\s"]+)/gi;

/** Every token a parsed body carries under a token member, at any depth. */
function tokensIn(value: unknown, found: Set<string>, depth = 0): void {
  if (depth > 64 || value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (TOKEN_MEMBERS.has(key) && typeof inner === 'string' && inner) found.add(inner);
    else tokensIn(inner, found, depth + 1);
  }
}

/**
 * Teaches the redactor a value the run must never show (a token, or one derived from it), and
 * records it for the last scan of the reports. A value too short to find by value is counted:
 * it is replaced only where a field names it.
 */
export function rememberSecret(session: Session, value: string): void {
  session.redactor.add(value);
  appendFileSync(session.run.tokensFile, `${JSON.stringify(value)}\n`, { mode: 0o600 });
}

/**
 * Teaches the redactor every token a response carries, wherever it is nested: read from the
 * parsed body (so `"\u0061ccess_token"` is a member name like any other), or from the text of a
 * body that does not parse, as JSON members or as form parameters.
 */
export function learnTokens(session: Session, exchange: Exchange): void {
  const body = exchange.response?.body;
  if (!body) return;
  const found = new Set<string>();
  const json = parseJson(body);
  if (json.ok) tokensIn(json.value, found);
  else {
    for (const match of body.matchAll(TOKEN_MEMBER_TEXT)) {
      const raw = match[1];
      if (!raw) continue;
      try {
        found.add(JSON.parse(`"${raw}"`) as string);
      } catch {
        found.add(raw);
      }
    }
    for (const match of body.matchAll(TOKEN_PARAM_TEXT)) {
      const raw = match[1];
      if (!raw) continue;
      found.add(raw);
      try {
        found.add(decodeURIComponent(raw.replace(/\+/g, ' ')));
      } catch {
        // Not percent-encoding: the raw text is what a report would show.
      }
    }
  }
  for (const token of found) rememberSecret(session, token);
}

/** Remembers that a client's credentials, as this run sends them, got a success. */
function noteAccepted(session: Session, exchange: Exchange, clientId: string | undefined): void {
  const status = exchange.response?.status;
  if (clientId && status !== undefined && status >= 200 && status < 300)
    session.acceptedClients.add(clientId);
}

/**
 * Sends one request, paced by the budget when its path is rate-limited. An unplanned 429 is
 * waited out (its Retry-After, else one window; bounded by {@link boundTargetWait}) and the
 * request retried once, with a note; a Retry-After past the bound is noted as a finding.
 *
 * `faultStatus`: the request is to be answered by the fault hook with that status, which the
 * target's limit does not count (docs/fault-hook.md), so it is sent without waiting for a slot
 * and counted, not booked; answered otherwise, the limit may have counted it, and it is booked.
 */
export async function sendPaced(
  session: Session,
  request: HttpRequest,
  clientId: string | undefined,
  notes: string[],
  faultStatus?: number,
): Promise<Exchange> {
  const { run, budget } = session;
  const key = budgetKey(session, new URL(request.url).pathname, clientId);
  if (key && faultStatus === undefined) await budget.acquire(key);
  let exchange = await send(request, { timeoutMs: run.timeoutMs });
  if (key && faultStatus !== undefined) {
    if (exchange.response?.status === faultStatus) budget.count(key);
    else budget.book(key);
  }
  learnTokens(session, exchange);
  noteAccepted(session, exchange, clientId);
  if (key && exchange.response?.status === 429) {
    const { response } = exchange;
    const stated = statedLimit(response.body);
    if (stated) budget.learn(key.path, stated);
    const told = retryAfterSeconds(response.headers['retry-after']);
    const windowSeconds = budget.limitOf(key.path)?.windowSeconds;
    const wait = boundTargetWait(told ?? windowSeconds ?? 60, 'Retry-After', {
      windowSeconds,
      deadlineAt: run.deadlineAt,
      secondMs: run.secondMs,
    });
    session.unplanned429s += 1;
    if (wait.finding) notes.push(`unplanned 429 on ${keyLabel(key)}: ${wait.finding}`);
    if (wait.pastDeadline) {
      notes.push(`unplanned 429 on ${keyLabel(key)}: ${wait.pastDeadline}`);
      return exchange;
    }
    notes.push(
      `unplanned 429 on ${keyLabel(key)}: waited ${wait.ms / 1000} s and sent the request once more`,
    );
    budget.block(key, wait.ms / run.secondMs);
    await budget.acquire(key);
    exchange = await send(request, { timeoutMs: run.timeoutMs });
    learnTokens(session, exchange);
    noteAccepted(session, exchange, clientId);
  }
  return exchange;
}

/** A copy of a live token with its last characters changed, remembered as a secret too. */
function tampered(session: Session, token: string): string {
  const value = tamper(token);
  rememberSecret(session, value);
  return value;
}

export function tamper(token: string): string {
  const tail = token.slice(-4);
  return `${token.slice(0, -4)}${tail === 'AAAA' ? 'BBBB' : 'AAAA'}`;
}

export async function callProbe(session: Session, token: string): Promise<Exchange> {
  const { run } = session;
  const probe = run.resourceProbe;
  if (!probe) throw new CaseSetupError('no resource probe is configured');
  return send(
    {
      method: 'GET',
      url: `${run.target}${probe.path}`,
      headers: { authorization: `Bearer ${token}`, accept: probe.accept },
    },
    { timeoutMs: run.timeoutMs },
  );
}

async function injectFault(session: Session, c: Case): Promise<void> {
  const { run } = session;
  if (!c.fault) return;
  const spec = { path: endpointPath(session, c.endpoint), count: 1, ...c.fault };
  const exchange = await send(
    {
      method: 'POST',
      url: `${run.target}/__conformance/faults`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    },
    { timeoutMs: run.timeoutMs },
  );
  const status = exchange.response?.status;
  if (status === undefined || status < 200 || status > 299) {
    throw new CaseSetupError(
      `the fault hook refused ${JSON.stringify(spec)}: ${status ?? `${exchange.error?.code} ${exchange.error?.message}`}`,
    );
  }
}

/** The access_token a response's JSON body carries at its top level, if any. */
function accessTokenOf(exchange: Exchange): string | undefined {
  const json = exchange.response ? parseJson(exchange.response.body) : undefined;
  const token = json?.ok
    ? (json.value as { access_token?: unknown } | null)?.access_token
    : undefined;
  return typeof token === 'string' ? token : undefined;
}

/** Asks the token endpoint for a new token for an account, paced by the budget. */
export async function requestToken(
  session: Session,
  notes: string[],
  role: 'primary' | 'secondary' | 'tokenLimit' = 'primary',
): Promise<{ token?: string; exchange: Exchange }> {
  const account = session.run.accounts[role];
  if (!account) throw new CaseSetupError(`no ${role} account is configured`);
  const exchange = await sendPaced(
    session,
    {
      method: 'POST',
      url: `${session.run.target}${session.run.paths.token}`,
      headers: {
        accept: 'application/json',
        authorization: `Basic ${basicCredentials(account.clientId, account.clientSecret, session.credentialEncoding)}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams([
        ['grant_type', 'client_credentials'],
        ...extraTokenParameters(session, 'token', { grant_type: '' }),
      ]).toString(),
    },
    account.clientId,
    notes,
  );
  const token = accessTokenOf(exchange);
  return token ? { token, exchange } : { exchange };
}

/**
 * Why a refusal of correct credentials may be the suite's doing, not the target's: the
 * credentials hold characters (`+ / = % :` or spaces, anything but letters, digits and `-._*`)
 * whose raw and form-urlencoded forms differ, and the target refused client authentication (a
 * 401, or `invalid_client`). Undefined when the encoding cannot be the cause.
 */
export function credentialEncodingHint(
  session: Session,
  role: string | undefined,
  response: HttpResponse | undefined,
): string | undefined {
  const { run } = session;
  const account = role ? run.accounts[role as keyof typeof run.accounts] : undefined;
  if (!account || !response) return undefined;
  // Accepted once as sent: the encoding is not what a later refusal is about.
  if (session.acceptedClients.has(account.clientId)) return undefined;
  const json = parseJson(response.body);
  const code = json.ok ? (json.value as { error?: unknown } | null)?.error : undefined;
  if (response.status !== 401 && code !== 'invalid_client') return undefined;
  if (!encodingsDiffer(account.clientId, account.clientSecret)) return undefined;
  const sent = session.credentialEncoding;
  const other = sent === 'raw' ? 'form-urlencoded' : 'raw';
  return `the ${role} credentials hold characters that RFC 6749 Appendix B form-encodes, and this run sent them ${sent} (profile ${run.profile}): if the target decodes Basic credentials the other way, the encoding is the cause; set "clientCredentialEncoding": "${other}" in the config to try it`;
}

/**
 * A 403 access_denied to a token request of an account that got tokens before is most often the
 * active-token limit (the live service: 100 per service account, "Access Token limit reached",
 * seeds README): tokens issued earlier (by other runs, other clients) still count until they
 * expire or are revoked. Said with the target's own description, bounded.
 */
function tokenRefusalHint(response: HttpResponse | undefined): string | undefined {
  if (response?.status !== 403) return undefined;
  const json = parseJson(response.body);
  const body = json.ok ? (json.value as { error?: unknown; error_description?: unknown }) : null;
  if (body?.error !== 'access_denied') return undefined;
  const said =
    typeof body.error_description === 'string' ? ` ${quoted(body.error_description, 120)}` : '';
  return `403 access_denied${said}: if that is the active-token limit, tokens issued earlier to this account (by earlier runs or other clients) count until they expire or are revoked`;
}

/** A new token a case needs to work with; failing to get one is a setup error, not a finding of the case. */
export async function issueToken(
  session: Session,
  notes: string[],
  role: 'primary' | 'secondary' = 'primary',
): Promise<string> {
  const { token, exchange } = await requestToken(session, notes, role);
  if (token) return token;
  const got = exchange.response ? `status ${exchange.response.status}` : exchange.error?.code;
  const hint =
    missingScope('token', exchange.request, exchange.response) ??
    credentialEncodingHint(session, role, exchange.response) ??
    tokenRefusalHint(exchange.response);
  throw new CaseSetupError(
    `could not obtain a ${role} token to work with (${got})${hint ? `; ${hint}` : ''}`,
  );
}

/**
 * A live token of the primary account that cases share when they only need a token to exist
 * (it must not be revoked on purpose). `renew` replaces one that stopped working.
 */
export function sharedToken(session: Session, notes: string[], renew = false): Promise<string> {
  if (renew || !session.sharedToken) {
    session.sharedToken = issueToken(session, notes);
  }
  return session.sharedToken;
}

/** Values for the `{{placeholders}}` of a case's form. */
export async function placeholderValues(
  session: Session,
  c: Case,
  notes: string[],
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const value of Object.values(c.request.form ?? {})) {
    const name = PLACEHOLDER.exec(value)?.[1];
    if (!name || name in values) continue;
    if (name === 'unknown-token')
      values[name] = fakerFor(session.run.seed, c.id).string.alphanumeric(48);
    else if (name === 'shared-token') values[name] = await sharedToken(session, notes);
    else if (name === 'fresh-token')
      values[name] = await issueToken(session, notes, freshTokenRole(session.run, c));
    else throw new CaseSetupError(`case ${c.id} names unknown placeholder {{${name}}}`);
  }
  return values;
}

async function executePlainCase(session: Session, c: Case): Promise<CaseResult> {
  const baselineCase = c.baseline ? findCase(session.run.profile, c.baseline) : undefined;
  const baseline = baselineCase ? await resultOf(session, baselineCase) : undefined;
  await injectFault(session, c);
  const notes: string[] = [];
  const { request, clientId } = buildRequest(
    session,
    c,
    await placeholderValues(session, c, notes),
  );
  const exchange = await sendPaced(session, request, clientId, notes, c.fault?.status);
  const result: CaseResult = { exchange, notes, ...(baseline ? { baseline } : {}) };
  // Any token the target issued is tried at the probe; whether 200 was the right status is token.200.status's to say.
  const issued = exchange.response;
  if (
    c.probe &&
    session.run.resourceProbe &&
    issued &&
    issued.status >= 200 &&
    issued.status < 300
  ) {
    const token = accessTokenOf(exchange);
    if (token) {
      result.probe = {
        withToken: await callProbe(session, token),
        withTamperedToken: await callProbe(session, tampered(session, token)),
      };
    }
  }
  return result;
}

/** The result of a case, run once per session however many requirements judge it. */
export function resultOf(
  session: Session,
  c: Case,
  execute: () => Promise<CaseResult> = () => executePlainCase(session, c),
): Promise<CaseResult> {
  let pending = session.results.get(c.id);
  if (!pending) {
    pending = execute();
    session.results.set(c.id, pending);
  }
  return pending;
}

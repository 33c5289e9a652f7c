/** Runs plain cases: builds the request from the case's recipe, sends it within the budget, records what came back. */
import { en, Faker } from '@faker-js/faker';
import { retryAfterSeconds } from './budget.ts';
import type { CaseResult } from './checks/index.ts';
import { type Exchange, type HttpRequest, parseJson, send } from './http.ts';
import { basicCredentials } from './redact.ts';
import type { Session } from './session.ts';
import type { Case } from './specs.ts';
import { getCatalog } from './specs.ts';

export class CaseSetupError extends Error {
  readonly code = 'CASE_SETUP';
}

/** A faker seeded from the run's seed and the case id, so a case's values do not depend on order. */
function fakerFor(seed: number, caseId: string): Faker {
  const faker = new Faker({ locale: [en] });
  faker.seed([seed, ...Array.from(caseId, (char) => char.charCodeAt(0))]);
  return faker;
}

export function generatedClientId(faker: Faker): string {
  return `mdb_sa_id_${faker.string.hexadecimal({ length: 24, casing: 'lower', prefix: '' })}`;
}

export function generatedSecret(faker: Faker): string {
  return `mdb_sa_sk_${faker.string.alphanumeric(40)}`;
}

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
): string | undefined {
  const limited = [session.run.paths.token, session.run.paths.revoke];
  return limited.includes(path) ? `${path} [${clientId ?? 'no client id'}]` : undefined;
}

export function buildRequest(
  session: Session,
  c: Case,
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
    let secret: string;
    if (auth.basic === 'unknown') {
      clientId = generatedClientId(faker);
      secret = generatedSecret(faker);
    } else {
      const account = run.accounts[auth.basic];
      if (!account) throw new CaseSetupError(`no ${auth.basic} account is configured`);
      clientId = account.clientId;
      secret = auth.secret === 'wrong' ? generatedSecret(faker) : account.clientSecret;
    }
    redactor.addCredentials(clientId, secret);
    headers.authorization = `Basic ${basicCredentials(clientId, secret)}`;
  }
  let body: string | undefined;
  if (recipe.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(recipe.form).toString();
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

const ACCESS_TOKEN_MEMBER = /"access_token"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** Teaches the redactor every access token a response carries, wherever it is nested. */
export function learnTokens(session: Session, exchange: Exchange): void {
  const body = exchange.response?.body;
  if (!body) return;
  for (const match of body.matchAll(ACCESS_TOKEN_MEMBER)) {
    const raw = match[1];
    if (!raw) continue;
    try {
      session.redactor.add(JSON.parse(`"${raw}"`) as string);
    } catch {
      session.redactor.add(raw);
    }
  }
}

/**
 * Sends one request, paced by the budget when its path is rate-limited. An unplanned 429 is
 * waited out (its Retry-After, else one window) and the request retried once, with a note.
 */
export async function sendPaced(
  session: Session,
  request: HttpRequest,
  clientId: string | undefined,
  notes: string[],
): Promise<Exchange> {
  const { run, budget } = session;
  const key = budgetKey(session, new URL(request.url).pathname, clientId);
  if (key) await budget.acquire(key);
  let exchange = await send(request, { timeoutMs: run.timeoutMs });
  learnTokens(session, exchange);
  if (key && exchange.response?.status === 429) {
    const seconds =
      retryAfterSeconds(exchange.response.headers['retry-after']) ??
      run.rateLimit?.windowSeconds ??
      60;
    notes.push(
      `unplanned 429 on ${key}: waited ${seconds} s (Retry-After) and sent the request once more`,
    );
    budget.block(key, seconds);
    await budget.acquire(key);
    exchange = await send(request, { timeoutMs: run.timeoutMs });
    learnTokens(session, exchange);
  }
  return exchange;
}

function tamper(token: string): string {
  const tail = token.slice(-4);
  return `${token.slice(0, -4)}${tail === 'AAAA' ? 'BBBB' : 'AAAA'}`;
}

async function callProbe(session: Session, token: string): Promise<Exchange> {
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

async function executePlainCase(session: Session, c: Case): Promise<CaseResult> {
  const baselineCase = c.baseline
    ? getCatalog().cases.find((other) => other.id === c.baseline)
    : undefined;
  const baseline = baselineCase ? await resultOf(session, baselineCase) : undefined;
  await injectFault(session, c);
  const notes: string[] = [];
  const { request, clientId } = buildRequest(session, c);
  const exchange = await sendPaced(session, request, clientId, notes);
  const result: CaseResult = { exchange, notes, ...(baseline ? { baseline } : {}) };
  if (c.probe && session.run.resourceProbe && exchange.response?.status === 200) {
    const json = parseJson(exchange.response.body);
    const token = json.ok
      ? (json.value as { access_token?: unknown } | null)?.access_token
      : undefined;
    if (typeof token === 'string') {
      result.probe = {
        withToken: await callProbe(session, token),
        withTamperedToken: await callProbe(session, tamper(token)),
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

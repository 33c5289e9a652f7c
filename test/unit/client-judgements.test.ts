// Each judgement of the client harness, both ways: a run it passes, a run it fails (for the
// reason it gives), a run it cannot judge (skipped, with its reason). Runs are data.
import { describe, expect, test } from 'vitest';
import {
  JUDGEMENTS,
  type ProgramResult,
  type ScenarioRun,
} from '../../src/client-harness/judgements.ts';
import type { ClientAuth, ClientRequest } from '../../src/client-harness/observe.ts';
import type { ScriptedScenario } from '../../src/client-harness/specs.ts';

const BASIC: ClientAuth = {
  scheme: 'basic',
  clientId: 'raw',
  clientSecret: 'raw',
  sentId: 'mdb_sa_id_1',
};
const FORM = {
  mediaType: 'application/x-www-form-urlencoded',
  params: [['grant_type', 'client_credentials']] as [string, string][],
};

type Step = Partial<ClientRequest> & Pick<ClientRequest, 'kind' | 'sentBy'> & { status?: number };

/**
 * A request: it arrives when sent and is answered 2 ms later unless told otherwise; a token
 * request gets Basic and the form body unless told otherwise; a delivered 200 issues T<n>, n in
 * the order of the steps.
 */
function requests(steps: Step[]): ClientRequest[] {
  let tokens = 0;
  return steps.map((step, i) => {
    const base: ClientRequest = {
      index: i + 1,
      method: step.kind === 'resource' ? 'GET' : 'POST',
      path:
        step.kind === 'token'
          ? '/api/oauth/token'
          : step.kind === 'revoke'
            ? '/api/oauth/revoke'
            : '/api/atlas/v2/',
      arrivedAt: step.sentBy,
      ...(step.unanswered ? {} : { answeredAt: step.sentBy + 2 }),
      credentialsInUrl: [],
      ...(step.kind === 'token' || step.kind === 'revoke' ? { auth: BASIC, form: FORM } : {}),
      ...step,
    };
    if (step.kind === 'token' && step.status === 200 && !('issued' in step)) {
      tokens += 1;
      base.issued = { ref: `T${tokens}`, expiresInSeconds: 3600 };
    }
    return base;
  });
}

const EXITED_0: ProgramResult = {
  exitCode: 0,
  signal: null,
  timedOut: false,
  durationMs: 500,
  stdout: '',
  stderr: '',
};
const EXITED_1: ProgramResult = { ...EXITED_0, exitCode: 1, stderr: 'error: it broke\n' };

function run(
  steps: Step[],
  program: ProgramResult = EXITED_0,
  scenario: Partial<ScriptedScenario> = {},
  extra: Partial<ScenarioRun> = {},
): ScenarioRun {
  return {
    scenario: {
      name: 'normal',
      title: 'test scenario',
      env: { CALLS: 2, CALL_INTERVAL_MS: 100, REVOKE_AT_END: 0 },
      ...scenario,
    },
    requests: requests(steps),
    program,
    timeoutMs: 20_000,
    ...extra,
  };
}

const token = (sentBy: number, status = 200, more: Partial<ClientRequest> = {}): Step => ({
  kind: 'token',
  sentBy,
  status,
  ...more,
});
const call = (
  sentBy: number,
  bearer = 'T1',
  status = 200,
  more: Partial<ClientRequest> = {},
): Step => ({
  kind: 'resource',
  sentBy,
  status,
  bearer,
  ...more,
});
/** A 429 or 503 with Retry-After: delta-seconds from its answer (2 ms after it was sent). */
const limited = (sentBy: number, status: 429 | 503, retryAfterSeconds: number): Step =>
  token(sentBy, status, {
    retryAfter: {
      value: String(retryAfterSeconds),
      form: 'delta-seconds',
      notBefore: sentBy + 2 + retryAfterSeconds * 1000,
    },
  });
/** A request the program never got an answer to. */
const unanswered = (
  step: Step,
  closedAt: number,
  because: 'gave-up' | 'exited' | 'reset',
): Step => {
  const { status: _status, ...rest } = step;
  return { ...rest, unanswered: { closedAt, because } };
};
const revoke = (
  sentBy: number,
  ref = 'T1',
  status = 200,
  more: Partial<ClientRequest> = {},
): Step => ({
  kind: 'revoke',
  sentBy,
  status,
  form: {
    mediaType: 'application/x-www-form-urlencoded',
    params: [
      ['token', ref],
      ['token_type_hint', 'access_token'],
    ],
  },
  ...more,
});

const GOOD = run([token(0), call(10), call(110)]);

interface JudgementCases {
  pass: ScenarioRun[];
  fail: [ScenarioRun, RegExp][];
  skip: [ScenarioRun, RegExp][];
}

const CASES: Record<string, JudgementCases> = {
  judgeBasicAuth: {
    pass: [GOOD],
    fail: [
      [
        run([token(0, 401, { auth: { scheme: 'none', bodyCredentials: true } })]),
        /client_secret_post/,
      ],
      [
        run([token(0, 400, { auth: { scheme: 'other', name: 'Bearer' } })]),
        /Authorization: Bearer/,
      ],
      [run([token(0, 400, { auth: { scheme: 'basic-undecodable' } })]), /does not decode/],
    ],
    skip: [[run([call(0, 'none', 401)]), /no token or revocation request/]],
  },
  judgeRawClientId: {
    pass: [GOOD],
    fail: [
      [
        run([
          token(0, 401, { auth: { ...BASIC, clientId: 'percent-encoded', sentId: 'mdb%5Fsa' } }),
        ]),
        /percent-encoded in Basic \("mdb%5Fsa"\)/,
      ],
      [
        run([token(0, 401, { auth: { ...BASIC, clientSecret: 'percent-encoded' } })]),
        /secret percent-encoded/,
      ],
    ],
    skip: [
      [
        run([token(0, 401, { auth: { scheme: 'none', bodyCredentials: false } })]),
        /no request used HTTP Basic/,
      ],
    ],
  },
  judgeFormBody: {
    pass: [GOOD],
    fail: [
      [
        run([token(0, 400, { form: { mediaType: 'application/json', params: [] } })]),
        /Content-Type application\/json; no grant_type/,
      ],
      [
        run([token(0, 400, { form: { ...FORM, params: [['grant_type', 'password']] } })]),
        /grant_type=password/,
      ],
      [run([token(0, 405, { method: 'GET' })]), /method GET/],
    ],
    skip: [[run([call(0, 'none', 401)]), /no token request/]],
  },
  judgeNoCredentialsInUrl: {
    pass: [GOOD],
    fail: [
      [
        run([token(0, 200, { credentialsInUrl: ['client_secret'] })]),
        /client_secret in its query string/,
      ],
    ],
    skip: [[run([]), /no request/]],
  },
  judgeBearerIssuedToken: {
    pass: [GOOD],
    fail: [
      [run([token(0), call(10, 'unknown', 401)]), /never issued/],
      [run([token(0), call(10, 'none', 401)]), /no Authorization: Bearer/],
    ],
    skip: [[run([token(0)]), /no resource call/]],
  },
  judgeTokenReuse: {
    pass: [
      GOOD,
      // renewal after a 401 for the token
      run([token(0), call(10), call(100, 'T1', 401), token(105), call(110, 'T2')]),
      // renewal within the margin of a short lifetime
      run([
        token(0, 200, { issued: { ref: 'T1', expiresInSeconds: 2 } }),
        call(10),
        token(1900),
        call(1910, 'T2'),
      ]),
      // renewal after the client revoked its own token
      run([token(0), call(10), revoke(20), token(30), call(40, 'T2')]),
      // a retry after a 429 on a spare connection opened at the start: not in flight before it
      run([token(0, 200, { arrivedAt: 1100, answeredAt: 1102 }), limited(1, 429, 1), call(1110)]),
      // a slow request given up on (its connection closed) before the next one was sent
      run([unanswered(token(0), 1000, 'gave-up'), token(1001), call(1010)]),
      // two parallel calls met the 401 and the program renewed once, after the first 401 came
      run([
        token(0),
        call(10),
        call(100, 'T1', 401, { answeredAt: 104 }),
        call(101, 'T1', 401, { answeredAt: 106 }),
        token(105),
        call(110, 'T2'),
        call(111, 'T2'),
      ]),
    ],
    fail: [
      [
        run([token(0), call(10), token(100), call(110, 'T2')]),
        /1 of 2 token requests were not needed \(a token per call\); token request #3 was sent at \+0\.100 s, after T1 had reached the program \(\+0\.002 s, expires_in 3600\), not near its expiry, never refused and not revoked/,
      ],
      // a herd at a slow endpoint: the second request is answered first, the slow one is in flight
      [
        run([
          token(0, 200, { answeredAt: 3000, issued: { ref: 'T2', expiresInSeconds: 3600 } }),
          token(5, 200, { issued: { ref: 'T1', expiresInSeconds: 3600 } }),
          call(10),
          call(3010, 'T2'),
        ]),
        /1 of 2 token requests were not needed \(a token per call\); T2 was not yet received when token request #2 was sent \(\+0\.005 s\): token request #1 \(sent \+0\.000 s\) was still in flight \(T2 came at \+3\.000 s\)/,
      ],
      [
        run([unanswered(token(0), 900, 'exited'), token(100), call(110)]),
        /no answer yet when token request #2 was sent .* was still in flight \(it was never answered: the program exited first\)/,
      ],
    ],
    skip: [[run([token(0, 401)]), /never got a token \(the token endpoint answered 401\)/]],
  },
  judgeRenewAfterExpiry: {
    pass: [
      run([token(0), call(10), call(2010, 'T1', 401), token(2015), call(2020, 'T2')]),
      // a 401 written in the millisecond it arrived is not a refusal of itself
      run([
        token(0),
        call(10),
        call(2010, 'T1', 401, { answeredAt: 2010 }),
        token(2015),
        call(2020, 'T2'),
      ]),
    ],
    fail: [
      [
        run([token(0), call(10), call(2010, 'T1', 401), call(2020, 'T1', 401)], EXITED_1),
        /resource call #4 \(sent \+2\.020 s\) presented T1 again after the 401 for it to resource call #3 \(sent \+2\.010 s\) had reached the program \(\+2\.012 s\)/,
      ],
      [
        run([token(0), call(10), call(2010, 'T1', 401)], EXITED_1),
        /1 of 2 resource calls answered 200 .* exited 1 \(stderr: error: it broke\)/,
      ],
    ],
    skip: [[run([token(0, 200, { issued: undefined })], EXITED_1), /never got a usable token/]],
  },
  judgeRenewAfter401: {
    pass: [
      // the renewal went on a spare connection opened at the start: dated by its arrival
      run(
        [
          token(0),
          token(1, 200, { arrivedAt: 33, answeredAt: 35 }),
          call(10),
          call(20),
          call(30, 'T1', 401),
          call(40, 'T2'),
        ],
        EXITED_0,
        {},
        { revokedAt: 25 },
      ),
      run(
        [token(0), call(10), call(20), call(30, 'T1', 401), token(35), call(40, 'T2')],
        EXITED_0,
        {},
        { revokedAt: 25 },
      ),
      // a program that took a new token anyway never met the 401
      run(
        [token(0), call(10), call(20), token(30), call(40, 'T2')],
        EXITED_0,
        {},
        { revokedAt: 25 },
      ),
      // two calls in parallel, both with T1, both sent before the first 401 came; one renewal
      run(
        [
          token(0),
          call(10),
          call(20),
          call(30, 'T1', 401, { answeredAt: 36 }),
          call(31, 'T1', 401, { answeredAt: 37 }),
          token(38),
          call(45, 'T2'),
          call(46, 'T2'),
        ],
        EXITED_0,
        {},
        { revokedAt: 25 },
      ),
      // two calls in parallel: the one sent second (on a kept-alive connection) is answered first,
      // the one sent first (a new connection, its request written 150 ms later) is answered
      // later; the program renews on the first 401 that reached it
      // (repro/clients/parallel-busy.mjs)
      run(
        [
          token(0),
          call(10),
          call(20),
          call(30, 'T1', 401, { arrivedAt: 170, answeredAt: 220 }),
          call(31, 'T1', 401, { answeredAt: 81 }),
          token(85),
          call(140, 'T2'),
          call(230, 'T2'),
        ],
        EXITED_0,
        {},
        { revokedAt: 25 },
      ),
      // the 401 answered in the millisecond it arrived (the flaky case of simple-oauth2)
      run(
        [
          token(0),
          call(10),
          call(20),
          call(30, 'T1', 401, { answeredAt: 30 }),
          token(33),
          call(40, 'T2'),
        ],
        EXITED_0,
        {},
        { revokedAt: 25 },
      ),
    ],
    fail: [
      [
        run([token(0), call(10), call(20), call(30, 'T1', 401)], EXITED_1, {}, { revokedAt: 25 }),
        /after the 401 to resource call #4 the program asked for no new token and made no successful call; it exited 1/,
      ],
      [
        run(
          [token(0), call(10), call(20), call(30, 'T1', 401), call(40, 'T1', 401)],
          EXITED_1,
          {},
          { revokedAt: 25 },
        ),
        /resource call #5 \(sent \+0\.040 s\) presented T1 again after the 401 for it to resource call #4/,
      ],
    ],
    skip: [[run([token(0), call(10, 'T1', 500)], EXITED_1), /never made the resource calls/]],
  },
  judgeRetryAfterHonoured: {
    pass: [
      run([limited(0, 429, 2), token(2010), call(2020)]),
      run([limited(0, 503, 2)], EXITED_1),
      // a herd: the second request was sent before the 429 came, so it is not a retry
      run([limited(0, 429, 2), token(1), call(10), token(2010), call(2020)]),
      // an HTTP-date names its second: the program is held to it, not to a delay
      run([
        token(0, 503, {
          answeredAt: 400,
          retryAfter: {
            value: 'Tue, 01 Dec 2026 10:00:03 GMT',
            form: 'http-date',
            notBefore: 2600,
          },
        }),
        token(2560),
        call(2570),
      ]),
    ],
    fail: [
      [
        run([limited(0, 429, 2), token(10), call(20)]),
        /token request #2 was sent 0\.008 s after the 429 to token request #1 \(sent \+0\.000 s\) reached the program \(\+0\.002 s\), which said Retry-After: 2/,
      ],
      [run([limited(0, 503, 1), token(500)]), /after the 503/],
      [
        run([
          token(0, 503, {
            answeredAt: 400,
            retryAfter: {
              value: 'Tue, 01 Dec 2026 10:00:04 GMT',
              form: 'http-date',
              notBefore: 3600,
            },
          }),
          token(2400),
        ]),
        /sent 2\.000 s after the 503 .* which said Retry-After: Tue, 01 Dec 2026 10:00:04 GMT \(\+3\.600 s, 3\.200 s after it came\)/,
      ],
    ],
    skip: [[GOOD, /no 429 or 503/]],
  },
  judgeRetriesBounded: {
    pass: [GOOD, run([token(0, 503), token(10, 503), token(20, 503), token(30)])],
    fail: [
      [
        run(
          [token(0, 503), token(10, 503), token(20, 503), token(30, 503), token(40, 503)],
          EXITED_1,
        ),
        /5 token requests in a row got no token \(at most 4/,
      ],
      // requests given up on count too
      [
        run(
          [0, 1, 2, 3, 4].map((i) => unanswered(token(i * 1000), i * 1000 + 900, 'gave-up')),
          EXITED_1,
        ),
        /5 token requests in a row got no token/,
      ],
    ],
    skip: [[run([]), /no token request/]],
  },
  judgeNoRetryOnClientError: {
    pass: [
      run([token(0, 401)], EXITED_1),
      // two requests in parallel, both refused: neither is a retry
      run([token(0, 401, { answeredAt: 20 }), token(5, 401, { answeredAt: 22 })], EXITED_1),
    ],
    fail: [
      [
        run([token(0, 401), token(100, 401)], EXITED_1),
        /token request #2 was sent 0\.098 s after the 401 to token request #1 \(sent \+0\.000 s\) reached the program/,
      ],
    ],
    skip: [[GOOD, /no 400 or 401/]],
  },
  judgeFailsCleanly: {
    pass: [run([token(0, 401)], EXITED_1)],
    fail: [
      [run([token(0, 401)]), /exited 0 although it never got a usable token/],
      [
        run([token(0, 401)], { ...EXITED_1, exitCode: null, signal: 'SIGTERM', timedOut: true }),
        /did not exit within 20 s/,
      ],
    ],
    skip: [],
  },
  judgeCallsSucceed: {
    pass: [GOOD],
    fail: [
      [
        run([token(0), call(10)], EXITED_1),
        /1 of 2 resource calls answered 200; the program exited 1/,
      ],
      [run([token(0), call(10), call(20, 'T1', 500)]), /1 of 2 resource calls/],
    ],
    skip: [],
  },
  judgeRevokeRequest: {
    pass: [run([token(0), call(10), revoke(20)])],
    fail: [
      [run([token(0), revoke(20, 'unknown')]), /not one the endpoint issued/],
      [
        run([token(0), revoke(20, 'T1', 401, { auth: { scheme: 'none', bodyCredentials: true } })]),
        /no HTTP Basic/,
      ],
      [
        run([
          token(0),
          revoke(20, 'T1', 200, {
            form: {
              mediaType: 'application/x-www-form-urlencoded',
              params: [
                ['token', 'T1'],
                ['token_type_hint', 'refresh_token'],
              ],
            },
          }),
        ]),
        /token_type_hint=refresh_token/,
      ],
    ],
    skip: [[GOOD, /did not revoke/]],
  },
  judgeRevokeEmpty200: {
    pass: [run([token(0), call(10), revoke(20)])],
    fail: [
      [
        run([token(0), call(10), revoke(20)], EXITED_1),
        /answered 200 with the documented empty body, and the program exited 1/,
      ],
      [
        run([token(0), call(10), revoke(20)], EXITED_1, { bareRevokeResponse: true }),
        /an empty body and no Content-Type/,
      ],
    ],
    skip: [
      [GOOD, /did not revoke/],
      [run([token(0), revoke(20, 'T1', 401)], EXITED_1), /no revocation was answered 200/],
    ],
  },
  judgeStopsAtTokenLimit: {
    pass: [
      // at the limit it goes on with the token it holds
      run([token(0), call(10), token(20, 403, { error: 'access_denied' }), call(30), call(40)]),
      // it revoked a token of its own before it asked again
      run([
        token(0),
        token(5, 200, { issued: { ref: 'T2', expiresInSeconds: 3600 } }),
        token(20, 403, { error: 'access_denied' }),
        revoke(30),
        token(40),
      ]),
      // a token of its own had expired by then
      run([
        token(0, 200, { issued: { ref: 'T1', expiresInSeconds: 1 } }),
        token(20, 403, { error: 'access_denied' }),
        token(1500),
      ]),
    ],
    fail: [
      [
        run(
          [
            token(0),
            token(20, 403, { error: 'access_denied' }),
            token(80, 403, { error: 'access_denied' }),
          ],
          EXITED_1,
        ),
        /1 token request\(s\) after the 403 access_denied \("Access Token limit reached"\) to token request #2 reached the program \(\+0\.022 s\), the first #3 0\.058 s later, while none of its tokens had expired or been revoked/,
      ],
    ],
    skip: [
      [GOOD, /never answered 403 access_denied: the program never held more than the 100 tokens/],
      // the IP access list's 403 is not the limit's
      [
        run([token(0, 403, { error: 'rate_limited' })], EXITED_1),
        /never answered 403 access_denied/,
      ],
    ],
  },
  judgeBackoff: {
    pass: [
      // no retry at all
      run([token(0, 500)], EXITED_1),
      // one retry: nothing to compare
      run([token(0, 500), token(100)]),
      // growing delays, measured from the answer (2 ms after sending) to the retry's arrival
      run([token(0, 500), token(102, 500), token(404)]),
    ],
    fail: [
      [
        run([token(0, 500), token(202, 500), token(404)]),
        /the delays before its retries do not grow: 0\.200 s, 0\.200 s \(token request #3 came 0\.200 s after the 500 to #2, after 0\.200 s the time before\)/,
      ],
      // 50 ms longer is not enough after a 1 s delay: a quarter longer is asked
      [run([token(0, 500), token(1002, 500), token(2104)]), /do not grow: 1\.000 s, 1\.100 s/],
    ],
    skip: [
      [GOOD, /no 5xx without Retry-After/],
      // a 503 with Retry-After is client.retry-after.honoured's to judge
      [run([limited(0, 503, 1), token(1100)]), /no 5xx without Retry-After/],
    ],
  },
  judgeNoTightLoop: {
    pass: [
      // one immediate retry after a reset, then a wait
      run([
        unanswered(token(0), 5, 'reset'),
        unanswered(token(10), 15, 'reset'),
        token(300),
        call(310),
      ]),
      run([token(0, 500), token(300, 500), token(900)]),
    ],
    fail: [
      [
        run([unanswered(token(0), 5, 'reset'), unanswered(token(10), 15, 'reset'), token(20)]),
        /2 immediate retries in a row: token request #3 came 0\.005 s after token request #2 was reset/,
      ],
      [
        run([token(0, 500), token(10, 500), token(20)]),
        /2 immediate retries in a row: token request #3 came 0\.008 s after token request #2 was answered 500/,
      ],
    ],
    skip: [[GOOD, /no token request was reset or answered 5xx without Retry-After/]],
  },
  judgeHonestExit: {
    pass: [GOOD, run([token(0, 500)], EXITED_1)],
    fail: [
      [run([token(0, 500)], EXITED_0), /exited 0 although only 0 of 2 resource calls answered 200/],
      [
        run([token(0, 500)], { ...EXITED_0, exitCode: null, timedOut: true }),
        /did not exit within 20 s/,
      ],
    ],
    skip: [],
  },
};

describe('client harness judgements', () => {
  test('every judgement has cases here, and each case list is complete', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(JUDGEMENTS).sort());
    for (const cases of Object.values(CASES)) {
      expect(cases.pass.length).toBeGreaterThan(0);
      expect(cases.fail.length).toBeGreaterThan(0);
    }
  });

  describe.each(Object.entries(CASES))('%s', (name, cases) => {
    const judge = JUDGEMENTS[name];
    if (!judge) throw new Error(`no judgement ${name}`);
    test.each(cases.pass.map((r, i) => [i, r] as const))('passes run %i', (_i, r) => {
      expect(judge(r)).toMatchObject({ ok: true });
    });
    test.each(cases.fail.map(([r, reason], i) => [i, r, reason] as const))(
      'fails run %i, saying why',
      (_i, r, reason) => {
        const verdict = judge(r);
        expect(verdict).toMatchObject({ ok: false });
        expect(!verdict.ok && !verdict.inconclusive && verdict.reason).toMatch(reason);
      },
    );
    test.each(cases.skip.map(([r, reason], i) => [i, r, reason] as const))(
      'skips run %i with its reason',
      (_i, r, reason) => {
        const verdict = judge(r);
        expect(verdict).toMatchObject({ ok: false, inconclusive: true });
        expect(!verdict.ok && verdict.reason).toMatch(reason);
      },
    );
  });
});

// Hostile target text: every kind of control, invisible and bidi character, huge member names,
// deep nesting, invalid UTF-8, a BOM in the middle, huge header values. Usage: tsx repro/text-attacks.ts [mode...]
import { check, configFor, hostileMock, type MockResponse, reasons, summary } from './lib.ts';

const EVIL = `\u0000\u0007\u001b[2J\u001b]8;;http://x\u0007\r\n[[ATTACHMENT|/etc/passwd]]\n##vso[task.setvariable]\u0085\u2028\u2029\u202e\u2066\u200b\ufeff\ud800\uffff\u00ad\u061c\u180e\ue000\u{e0001}\u034f`;

const modes: Record<string, (res: MockResponse) => MockResponse> = {
  // every error's `error` member and description full of hostile characters
  'evil-error': (res) =>
    res.status >= 400 &&
    res.body &&
    typeof res.body === 'object' &&
    !(res.body instanceof Uint8Array)
      ? {
          ...res,
          body: { ...(res.body as object), error: EVIL, error_description: EVIL.repeat(50) },
        }
      : res,
  // a member NAME of 300 KB on every JSON body
  'huge-member-name': (res) =>
    res.body && typeof res.body === 'object' && !(res.body instanceof Uint8Array)
      ? { ...res, body: { ...(res.body as object), [`x${EVIL}`.repeat(1_500)]: 1 } }
      : res,
  // JSON nested 100,000 deep on errors
  'deep-json': (res) =>
    res.status >= 400
      ? { ...res, body: Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) }
      : res,
  // invalid UTF-8 in every error body
  'invalid-utf8': (res) =>
    res.status >= 400
      ? {
          ...res,
          body: Buffer.concat([
            Buffer.from('{"error":"'),
            Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
            Buffer.from('"}'),
          ]),
        }
      : res,
  // a BOM in the middle of a success body
  'bom-middle': (res) =>
    res.status === 200 && res.body && !(res.body instanceof Uint8Array)
      ? { ...res, body: Buffer.from(JSON.stringify(res.body).replace(',', ',\ufeff')) }
      : res,
  // a 12 KB header value of obs-text and CI-directive look-alikes on every response (latin-1 only:
  // node refuses to send anything else in a header)
  'big-header': (res) => ({
    ...res,
    headers: {
      ...res.headers,
      'x-evil': `[[ATTACHMENT|/etc/passwd]] \u00ff\u00a0\u0085 `.repeat(400).slice(0, 12_000),
    },
  }),
  // a 20 KB header value: over undici's limit
  'huge-header': (res) => ({ ...res, headers: { ...res.headers, 'x-evil': 'a'.repeat(20_000) } }),
  // hostile header values on errors: WWW-Authenticate of 5,000 characters, a Content-Type with obs-text
  'evil-headers': (res) =>
    res.status >= 400
      ? {
          ...res,
          headers: {
            ...res.headers,
            'WWW-Authenticate': `Basic realm="\u00a0\u00ad${'x'.repeat(5000)}"`,
            'Content-Type': `application/json; x=\u00ff${'y'.repeat(3000)}`,
          },
        }
      : res,
};

const wanted = process.argv.slice(2);
for (const [name, tamper] of Object.entries(modes)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const mock = await hostileMock({ tamper });
  try {
    const c = await check(name, mock, configFor(mock));
    summary(name, c);
    reasons(c, /./);
  } finally {
    await mock.close();
  }
}

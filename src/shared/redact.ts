/**
 * Redaction: every byte the tool writes (stdout, reports, the mock's journal) passes through here.
 *
 * Two nets, because either alone leaks: values the run knows to be secret (client secrets, Basic
 * header values, issued access tokens) are replaced in every encoding a report might carry them
 * in (found in decoded views of the text, src/shared/secret-views.ts, so `\/`, `\u002f`, `%2f` and
 * `&#x2F;` spellings, mixed as they come, are found too), and fields that are secret by name
 * (Authorization, access_token, token=...) are replaced whatever their value.
 */
import { replaceSpans, secretSpans } from './secret-views.ts';
import { ACCOUNT_ROLES, type Accounts, type ClientCredentialEncoding } from './types.ts';

export const REDACTED = '[REDACTED]';

/** Field names whose values are secret wherever they appear (JSON keys, form parameters). */
const SECRET_FIELDS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'clientsecret',
  'token',
  'password',
]);

/**
 * Values the target or the suite made up (issued tokens, generated values) shorter than this are
 * not replaced by value: a token "ok" would blank every "ok" of the report. They are replaced
 * where a field names them (access_token, Bearer, token=).
 */
export const MIN_SECRET_LENGTH = 8;
/**
 * Configured credentials are replaced from this length on, however short (`hunter2`); shorter
 * ones are refused where configuration is read (src/suite/config.ts), since every occurrence of two or
 * three characters would have to go.
 */
export const MIN_CONFIGURED_SECRET_LENGTH = 4;

export interface Redactor {
  /**
   * Registers a secret value; later calls to {@link Redactor.redact} replace it in all its
   * encodings. Forms shorter than `minLength` (default {@link MIN_SECRET_LENGTH}) are not.
   * Returns false when the value is too short to be replaced by value at all.
   */
  add(secret: string, minLength?: number): boolean;
  /** Registers a client's credentials and the Basic header value they make. */
  addCredentials(clientId: string, clientSecret: string): void;
  /** Replaces every known secret, and anything that looks like a bearer or basic credential. */
  redact(text: string): string;
  /** The number of distinct values registered (for tests). */
  readonly size: number;
}

/**
 * The application/x-www-form-urlencoded form of one value (RFC 6749 Appendix B: UTF-8, then
 * the form serialisation: space as `+`, reserved characters such as `+ / = % :` as `%XX`).
 */
export function formUrlEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * The credentials of an HTTP Basic `Authorization` value (RFC 7617 §2): base64 of `id:secret`,
 * each taken as issued (`raw`, the default) or form-urlencoded first (RFC 6749 §2.3.1).
 */
export function basicCredentials(
  clientId: string,
  clientSecret: string,
  encoding: ClientCredentialEncoding = 'raw',
): string {
  const [id, secret] =
    encoding === 'raw'
      ? [clientId, clientSecret]
      : [formUrlEncode(clientId), formUrlEncode(clientSecret)];
  return Buffer.from(`${id}:${secret}`, 'utf8').toString('base64');
}

/** Whether the two encodings of these credentials differ (they hold characters Appendix B encodes). */
export function encodingsDiffer(clientId: string, clientSecret: string): boolean {
  return formUrlEncode(clientId) !== clientId || formUrlEncode(clientSecret) !== clientSecret;
}

/**
 * A secret in the encodings a report might carry it in that decoding cannot undo (raw, base64,
 * base64url), and the common escaped ones (percent, form, JSON) for a direct match; every other
 * escaped spelling is found by decoding the text (src/shared/secret-views.ts).
 */
export function encodingsOf(secret: string, minLength = MIN_SECRET_LENGTH): string[] {
  const forms = new Set<string>([secret]);
  const bytes = Buffer.from(secret, 'utf8');
  forms.add(bytes.toString('base64'));
  forms.add(bytes.toString('base64').replace(/=+$/, ''));
  forms.add(bytes.toString('base64url'));
  // A hex dump of the bytes (xxd -p, Buffer#toString('hex')), in either case.
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  forms.add(encodeURIComponent(secret));
  forms.add(new URLSearchParams({ x: secret }).toString().slice(2));
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms].filter((form) => form.length >= minLength);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The alternation of `words` as a trie: `(?:ab(?:c|d)|x…)`. Searching for hundreds of secrets (a
 * run's tokens in each of their encodings, which share long prefixes: every JWT starts `eyJ`, its
 * hex dump `65794a`) with a flat `a|b|c…` tries every alternative at every offset; the trie tries
 * one character at each branch. Where a word ends inside a longer one, the longer is tried first
 * (`(?:…)?` is greedy), so the match at an offset is the longest. Built from the sorted words
 * (a range of them shares a prefix as long as its first and last do), without a node per character.
 */
function trieSource(unique: readonly string[]): string {
  const words = [...unique].sort();
  const emit = (lo: number, hi: number, depth: number): string => {
    let first = lo;
    // Sorted, a word that ends here comes before the words it is a prefix of.
    const ends = (words[first] as string).length === depth;
    if (ends) first += 1;
    if (first === hi) return '';
    const a = words[first] as string;
    const b = words[hi - 1] as string;
    let common = depth;
    const max = Math.min(a.length, b.length);
    while (common < max && a.charCodeAt(common) === b.charCodeAt(common)) common += 1;
    let body: string;
    if (common > depth) {
      body = escapeRegExp(a.slice(depth, common)) + emit(first, hi, common);
    } else {
      const branches: string[] = [];
      for (let i = first; i < hi; ) {
        const unit = (words[i] as string).charCodeAt(depth);
        let j = i + 1;
        while (j < hi && (words[j] as string).charCodeAt(depth) === unit) j += 1;
        branches.push(escapeRegExp(String.fromCharCode(unit)) + emit(i, j, depth + 1));
        i = j;
      }
      body = branches.length === 1 ? (branches[0] as string) : `(?:${branches.join('|')})`;
    }
    return ends ? `(?:${body})?` : body;
  };
  return emit(0, words.length, 0);
}

/**
 * One pattern (global) for many secrets, matching the longest at each offset, so a base64 form is
 * not half-matched by a shorter raw one. No secrets (or only empty ones): a pattern that matches
 * nothing.
 */
export function secretPattern(secrets: Iterable<string>): RegExp {
  const words = [...new Set(secrets)].filter((secret) => secret.length > 0);
  return new RegExp(words.length === 0 ? '(?!)' : trieSource(words), 'g');
}

const CREDENTIAL_PATTERNS: [RegExp, string][] = [
  [/\b(Basic|Bearer|Digest)\s+[A-Za-z0-9\-._~+/=%]{16,}/gi, `$1 ${REDACTED}`],
  // A JWS compact serialisation (header.payload.signature, header starting with '{"').
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*/g, REDACTED],
  // Atlas-style client secrets, even ones this run never registered.
  [/\bmdb_sa_sk_[A-Za-z0-9_-]+/g, REDACTED],
];

export function createRedactor(initial: Iterable<string> = []): Redactor {
  const secrets = new Set<string>();
  // What was added, with the shortest form length it was added with: a token the run sees in many
  // responses is encoded once.
  const added = new Map<string, number>();
  let pattern: RegExp | undefined;

  const redactor: Redactor = {
    add(secret, minLength = MIN_SECRET_LENGTH) {
      if (!secret || secret.length < minLength) return false;
      const known = added.get(secret);
      if (known !== undefined && known <= minLength) return true;
      added.set(secret, Math.min(known ?? minLength, minLength));
      const before = secrets.size;
      for (const form of encodingsOf(secret, minLength)) secrets.add(form);
      if (secrets.size !== before) pattern = undefined;
      return true;
    },
    addCredentials(clientId, clientSecret) {
      const min = MIN_CONFIGURED_SECRET_LENGTH;
      redactor.add(clientSecret, min);
      redactor.add(`${clientId}:${clientSecret}`, min);
      // Both encodings: whichever the run sends, and whichever a target echoes back.
      redactor.add(basicCredentials(clientId, clientSecret, 'raw'), min);
      redactor.add(basicCredentials(clientId, clientSecret, 'form-urlencoded'), min);
      redactor.add(formUrlEncode(clientSecret), min);
    },
    redact(text) {
      let out = text;
      if (secrets.size > 0) {
        pattern ??= secretPattern(secrets);
        out = replaceSpans(out, secretSpans(out, pattern), REDACTED);
      }
      for (const [re, replacement] of CREDENTIAL_PATTERNS) out = out.replace(re, replacement);
      return out;
    },
    get size() {
      return secrets.size;
    },
  };
  for (const secret of initial) redactor.add(secret);
  return redactor;
}

/** A redactor that knows every configured account's secret and the Basic credential it makes. */
export function createAccountsRedactor(accounts: Partial<Accounts>): Redactor {
  const redactor = createRedactor();
  for (const role of ACCOUNT_ROLES) {
    const account = accounts[role];
    if (account) redactor.addCredentials(account.clientId, account.clientSecret);
  }
  return redactor;
}

/** Every configured account's secret and the Basic credential it makes: what a leak scan looks for. */
export function accountSecrets(accounts: Partial<Accounts>): string[] {
  return ACCOUNT_ROLES.flatMap((role) => {
    const account = accounts[role];
    return account
      ? [
          account.clientSecret,
          basicCredentials(account.clientId, account.clientSecret, 'raw'),
          basicCredentials(account.clientId, account.clientSecret, 'form-urlencoded'),
        ]
      : [];
  });
}

/** Header values that are secret by name: the credential is replaced, the scheme is kept. */
export function redactHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const scheme = value.trim().split(/\s+/, 1)[0] ?? '';
    return value.trim().includes(' ') ? `${scheme} ${REDACTED}` : REDACTED;
  }
  if (lower === 'cookie' || lower === 'set-cookie') return REDACTED;
  return value;
}

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = redactHeaderValue(name, value);
  return out;
}

/** Redacts secret fields of a form-encoded body, keeping its shape readable. */
export function redactForm(body: string): string {
  if (!body) return body;
  return body
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name: string;
      try {
        name = decodeURIComponent(pair.slice(0, eq).replace(/\+/g, ' '));
      } catch {
        return pair;
      }
      // An empty value hides nothing: shown as sent, so the report does not claim a token was.
      if (eq === pair.length - 1) return pair;
      return SECRET_FIELDS.has(name.toLowerCase()) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
}

/** Deep copy of a JSON value with secret fields replaced. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] =
        SECRET_FIELDS.has(key.toLowerCase()) && typeof inner === 'string'
          ? REDACTED
          : redactJson(inner);
    }
    return out;
  }
  return value;
}

const SECRET_JSON_MEMBER = new RegExp(
  `("(?:${[...SECRET_FIELDS].join('|')})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`,
  'gi',
);

/**
 * Redacts a body by its media type: JSON members and form parameters by name, in place, so that
 * the body keeps its layout (a report about pretty-printing must show the real whitespace).
 */
export function redactBody(body: string, contentType: string | undefined): string {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('x-www-form-urlencoded')) return redactForm(body);
  return body.replace(SECRET_JSON_MEMBER, `$1"${REDACTED}"`);
}

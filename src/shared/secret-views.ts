/**
 * Finding a secret whatever encoding carries it. A target that echoes what it receives may write
 * a secret JSON-escaped (`\/` as PHP does, `\u002f` as .NET, Go and Python do), percent-encoded in
 * either case (`%2f`, `%2F`), or as HTML character references (`&#x2F;`, `&sol;`), and mix them.
 * Listing every spelling cannot work (each character may be spelled differently); instead the text
 * is decoded into views (JSON unescaping, case-insensitive percent-decoding, entity decoding, and
 * their combinations), each view remembering where each of its characters came from, and a secret
 * found in any view is a span of the original text.
 */

/**
 * A decoded view of a text: its characters, and the span of the original each came from. The
 * text itself is a view without maps (each character is where it is), so a text with nothing to
 * decode costs no more than the search.
 */
interface View {
  text: string;
  /** For each character of `text`, the offset in the original text where it starts. */
  start?: number[];
  /** For each character of `text`, the offset in the original text just past its end. */
  end?: number[];
}

const startOf = (view: View, offset: number) => (view.start ? (view.start[offset] ?? 0) : offset);
const endOf = (view: View, offset: number) => (view.end ? (view.end[offset] ?? 0) : offset + 1);

type Decoded = { text: string; start: number[]; end: number[] };
type Decoder = (text: string) => Decoded | undefined;

/**
 * Builds a decoded text and its map: each UTF-16 unit pushed carries the span of the input it
 * came from, so offsets in the text and in the map stay aligned.
 */
function decodedText() {
  const result: Decoded = { text: '', start: [], end: [] };
  return {
    push(chars: string, from: number, to: number) {
      for (let u = 0; u < chars.length; u++) {
        result.text += chars[u];
        result.start.push(from);
        result.end.push(to);
      }
    },
    result,
  };
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** JSON string escapes undone (RFC 8259 §7), surrogate pairs joined; anything else kept. */
const jsonUnescaped: Decoder = (text) => {
  if (!text.includes('\\')) return undefined;
  const { push, result } = decodedText();
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\') {
      const next = text[i + 1] ?? '';
      const simple = JSON_ESCAPES[next];
      if (simple !== undefined) {
        push(simple, i, i + 2);
        i += 2;
        continue;
      }
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        let code = Number.parseInt(text.slice(i + 2, i + 6), 16);
        let to = i + 6;
        const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(text.slice(to, to + 6));
        if (code >= 0xd800 && code <= 0xdbff && low?.[1]) {
          code = 0x10000 + ((code - 0xd800) << 10) + (Number.parseInt(low[1], 16) - 0xdc00);
          to += 6;
        }
        push(String.fromCodePoint(code), i, to);
        i = to;
        continue;
      }
    }
    const code = text.codePointAt(i) ?? 0;
    const width = code > 0xffff ? 2 : 1;
    push(text.slice(i, i + width), i, i + width);
    i += width;
  }
  return result;
};

/** Percent-encoded octets (either case of hex) decoded as UTF-8; anything else kept. */
const percentDecoded: Decoder = (text) => {
  if (!text.includes('%')) return undefined;
  const { push, result } = decodedText();
  for (let i = 0; i < text.length; ) {
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      // A run of %XX octets: decode it as UTF-8 together, each character to its own octets.
      const bytes: number[] = [];
      const offsets: number[] = [];
      let j = i;
      while (text[j] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(j + 1, j + 3))) {
        bytes.push(Number.parseInt(text.slice(j + 1, j + 3), 16));
        offsets.push(j);
        j += 3;
      }
      let k = 0;
      while (k < bytes.length) {
        const lead = bytes[k] ?? 0;
        const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
        const chunk = Buffer.from(bytes.slice(k, k + length)).toString('utf8');
        const from = offsets[k] ?? i;
        const to = (offsets[Math.min(k + length, bytes.length) - 1] ?? from) + 3;
        push(chunk, from, to);
        k += length;
      }
      i = j;
      continue;
    }
    push(text[i] ?? '', i, i + 1);
    i += 1;
  }
  return result;
};

/** Named character references for the characters a secret may hold (HTML's own names). */
const NAMED_REFERENCES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  sol: '/',
  bsol: '\\',
  plus: '+',
  equals: '=',
  percnt: '%',
  colon: ':',
  semi: ';',
  comma: ',',
  period: '.',
  excl: '!',
  quest: '?',
  num: '#',
  dollar: '$',
  ast: '*',
  lpar: '(',
  rpar: ')',
  lsqb: '[',
  rsqb: ']',
  lcub: '{',
  rcub: '}',
  verbar: '|',
  lowbar: '_',
  hyphen: '-',
  dash: '-',
  Hat: '^',
  grave: '`',
  tilde: '~',
  commat: '@',
  nbsp: '\u00a0',
};

/** HTML/XML character references (numeric, and the named ones above) decoded; anything else kept. */
const entityDecoded: Decoder = (text) => {
  if (!text.includes('&')) return undefined;
  const { push, result } = decodedText();
  const reference = /^&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z]{2,8}));/;
  for (let i = 0; i < text.length; ) {
    if (text[i] === '&') {
      const match = reference.exec(text.slice(i, i + 12));
      const code = match?.[1]
        ? Number.parseInt(match[1], 16)
        : match?.[2]
          ? Number(match[2])
          : undefined;
      const named = match?.[3] ? NAMED_REFERENCES[match[3]] : undefined;
      const decoded = code !== undefined && code <= 0x10ffff ? String.fromCodePoint(code) : named;
      if (match && decoded !== undefined) {
        push(decoded, i, i + match[0].length);
        i += match[0].length;
        continue;
      }
    }
    push(text[i] ?? '', i, i + 1);
    i += 1;
  }
  return result;
};

const DECODERS: readonly Decoder[] = [jsonUnescaped, percentDecoded, entityDecoded];

/** Line breaks left out: base64 wrapped at 76 columns (Python's encodebytes, MIME) joins up again. */
const unwrapped: Decoder = (text) => {
  if (!/[\r\n]/.test(text)) return undefined;
  const { push, result } = decodedText();
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    if (char !== '\r' && char !== '\n') push(char, i, i + 1);
  }
  return result;
};

/** A backslash before punctuation left out (`eyJ…\.eyJ…` as a logger or shell escapes it). */
const unbackslashed: Decoder = (text) => {
  if (!text.includes('\\')) return undefined;
  const { push, result } = decodedText();
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (char === '\\' && /[^\w\s\\]/.test(next)) continue;
    push(char, i, i + 1);
  }
  return result;
};

/** Decoders applied to the text itself only, not combined with the others. */
const ALONE: readonly Decoder[] = [unwrapped, unbackslashed];

/** Applies `decoder` to a view, mapping the result back to the original text. */
function through(view: View, decoder: Decoder): View | undefined {
  const decoded = decoder(view.text);
  if (!decoded) return undefined;
  return {
    text: decoded.text,
    start: decoded.start.map((offset) => startOf(view, offset)),
    end: decoded.end.map((offset) => endOf(view, offset - 1)),
  };
}

/**
 * The text as it is, and decoded by every order of JSON unescaping (up to twice: JSON logged
 * inside a JSON string), percent-decoding and entity decoding, three steps at most (a secret
 * JSON-escaped inside a percent-encoded parameter inside HTML, and so on); and with line breaks
 * left out, and with backslashes before punctuation left out. Views that decode nothing are not made.
 */
function viewsOf(text: string): View[] {
  const identity: View = { text };
  const views: View[] = [identity];
  const extend = (view: View, used: readonly Decoder[]) => {
    for (const decoder of DECODERS) {
      // Each decoder once, JSON unescaping twice (a JSON text logged inside a JSON string).
      const times = used.filter((d) => d === decoder).length;
      if (times >= (decoder === jsonUnescaped ? 2 : 1) || used.length >= 3) continue;
      const next = through(view, decoder);
      if (!next) continue;
      views.push(next);
      extend(next, [...used, decoder]);
    }
  };
  extend(identity, []);
  for (const decoder of ALONE) {
    const view = through(identity, decoder);
    if (view) views.push(view);
  }
  return views;
}

/**
 * The spans of `text` (offsets, end exclusive, merged, in order) where any of `needles` appears,
 * in any view. `pattern` is the alternation of the needles, longest first.
 */
export function secretSpans(text: string, pattern: RegExp): [number, number][] {
  const spans: [number, number][] = [];
  for (const view of viewsOf(text)) {
    pattern.lastIndex = 0;
    for (const match of view.text.matchAll(pattern)) {
      const first = match.index;
      const last = first + match[0].length - 1;
      spans.push([startOf(view, first), endOf(view, last)]);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const previous = merged.at(-1);
    if (previous && span[0] <= previous[1]) previous[1] = Math.max(previous[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

/** Which of the needles of `pattern` appear in `text`, in any view (each as matched). */
export function needlesIn(text: string, pattern: RegExp): Set<string> {
  const found = new Set<string>();
  for (const view of viewsOf(text)) {
    pattern.lastIndex = 0;
    for (const match of view.text.matchAll(pattern)) found.add(match[0]);
  }
  return found;
}

/** `text` with every span replaced by `replacement`. */
export function replaceSpans(
  text: string,
  spans: readonly [number, number][],
  replacement: string,
): string {
  let out = '';
  let at = 0;
  for (const [from, to] of spans) {
    out += text.slice(at, from) + replacement;
    at = to;
  }
  return out + text.slice(at);
}

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
 * decode costs no more than the search. Views are first made as text alone, and searched; the
 * maps of a view are made only when a needle was found in it (a redaction needs the span; a leak
 * scan, only the finding), which keeps the common case, nothing found, a few string copies.
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

/**
 * Where a decoder writes: runs of the input kept as they are, and decoded characters, each with
 * the span of the input it came from. {@link textSink} keeps the text alone; {@link mappedSink}
 * the text and, for each UTF-16 unit, its span.
 */
interface Sink {
  /** `input[from, to)`, unchanged. */
  keep(input: string, from: number, to: number): void;
  /** `chars`, decoded from `input[from, to)`. */
  put(chars: string, from: number, to: number): void;
}

type Decoded = { text: string; start: number[]; end: number[] };
/** Writes the decoded `text` to `sink`; false (and nothing written) when there is nothing to decode. */
type Decoder = (text: string, sink: Sink) => boolean;

function textSink() {
  const chunks: string[] = [];
  const sink: Sink = {
    keep: (input, from, to) => {
      if (to > from) chunks.push(input.slice(from, to));
    },
    put: (chars) => {
      chunks.push(chars);
    },
  };
  return { sink, text: () => chunks.join('') };
}

function mappedSink() {
  const chunks: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const sink: Sink = {
    keep: (input, from, to) => {
      if (to <= from) return;
      chunks.push(input.slice(from, to));
      for (let k = from; k < to; k++) {
        start.push(k);
        end.push(k + 1);
      }
    },
    put: (chars, from, to) => {
      chunks.push(chars);
      for (let u = 0; u < chars.length; u++) {
        start.push(from);
        end.push(to);
      }
    },
  };
  return { sink, result: (): Decoded => ({ text: chunks.join(''), start, end }) };
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

const HEX4 = /^[0-9a-fA-F]{4}$/;

/** JSON string escapes undone (RFC 8259 §7), surrogate pairs joined; anything else kept. */
const jsonUnescaped: Decoder = (text, sink) => {
  let i = text.indexOf('\\');
  if (i < 0) return false;
  let at = 0;
  while (i >= 0) {
    const next = text[i + 1] ?? '';
    const simple = JSON_ESCAPES[next];
    if (simple !== undefined) {
      sink.keep(text, at, i);
      sink.put(simple, i, i + 2);
      at = i + 2;
    } else if (next === 'u' && HEX4.test(text.slice(i + 2, i + 6))) {
      let code = Number.parseInt(text.slice(i + 2, i + 6), 16);
      let to = i + 6;
      const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(text.slice(to, to + 6));
      if (code >= 0xd800 && code <= 0xdbff && low?.[1]) {
        code = 0x10000 + ((code - 0xd800) << 10) + (Number.parseInt(low[1], 16) - 0xdc00);
        to += 6;
      }
      sink.keep(text, at, i);
      sink.put(String.fromCodePoint(code), i, to);
      at = to;
    } else {
      // Not an escape: the backslash stays, and the search goes on after it.
      i = text.indexOf('\\', i + 1);
      continue;
    }
    i = text.indexOf('\\', at);
  }
  sink.keep(text, at, text.length);
  return true;
};

const PERCENT_OCTET = /%[0-9a-fA-F]{2}/g;

/** Percent-encoded octets (either case of hex) decoded as UTF-8; anything else kept. */
const percentDecoded: Decoder = (text, sink) => {
  if (!text.includes('%')) return false;
  let at = 0;
  PERCENT_OCTET.lastIndex = 0;
  for (let found = PERCENT_OCTET.exec(text); found; found = PERCENT_OCTET.exec(text)) {
    const i = found.index;
    // A run of %XX octets: decode it as UTF-8 together, each character to its own octets.
    const bytes: number[] = [];
    const offsets: number[] = [];
    let j = i;
    while (text[j] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(j + 1, j + 3))) {
      bytes.push(Number.parseInt(text.slice(j + 1, j + 3), 16));
      offsets.push(j);
      j += 3;
    }
    sink.keep(text, at, i);
    let k = 0;
    while (k < bytes.length) {
      const lead = bytes[k] ?? 0;
      const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
      const chunk = Buffer.from(bytes.slice(k, k + length)).toString('utf8');
      const from = offsets[k] ?? i;
      const to = (offsets[Math.min(k + length, bytes.length) - 1] ?? from) + 3;
      sink.put(chunk, from, to);
      k += length;
    }
    at = j;
    PERCENT_OCTET.lastIndex = j;
  }
  sink.keep(text, at, text.length);
  return true;
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

const REFERENCE = /^&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z]{2,8}));/;

/** HTML/XML character references (numeric, and the named ones above) decoded; anything else kept. */
const entityDecoded: Decoder = (text, sink) => {
  let i = text.indexOf('&');
  if (i < 0) return false;
  let at = 0;
  while (i >= 0) {
    const match = REFERENCE.exec(text.slice(i, i + 12));
    const code = match?.[1]
      ? Number.parseInt(match[1], 16)
      : match?.[2]
        ? Number(match[2])
        : undefined;
    const named = match?.[3] ? NAMED_REFERENCES[match[3]] : undefined;
    const decoded = code !== undefined && code <= 0x10ffff ? String.fromCodePoint(code) : named;
    if (match && decoded !== undefined) {
      sink.keep(text, at, i);
      sink.put(decoded, i, i + match[0].length);
      at = i + match[0].length;
      i = text.indexOf('&', at);
    } else {
      i = text.indexOf('&', i + 1);
    }
  }
  sink.keep(text, at, text.length);
  return true;
};

const DECODERS: readonly Decoder[] = [jsonUnescaped, percentDecoded, entityDecoded];

/** Line breaks left out: base64 wrapped at 76 columns (Python's encodebytes, MIME) joins up again. */
const unwrapped: Decoder = (text, sink) => {
  const lineBreak = /[\r\n]/g;
  if (!lineBreak.test(text)) return false;
  lineBreak.lastIndex = 0;
  let at = 0;
  for (let found = lineBreak.exec(text); found; found = lineBreak.exec(text)) {
    sink.keep(text, at, found.index);
    at = found.index + 1;
  }
  sink.keep(text, at, text.length);
  return true;
};

/** A backslash before punctuation left out (`eyJ…\.eyJ…` as a logger or shell escapes it). */
const unbackslashed: Decoder = (text, sink) => {
  let i = text.indexOf('\\');
  if (i < 0) return false;
  let at = 0;
  while (i >= 0) {
    if (/[^\w\s\\]/.test(text[i + 1] ?? '')) {
      sink.keep(text, at, i);
      at = i + 1;
    }
    i = text.indexOf('\\', i + 1);
  }
  sink.keep(text, at, text.length);
  return true;
};

/** Decoders applied to the text itself only, not combined with the others. */
const ALONE: readonly Decoder[] = [unwrapped, unbackslashed];

/** A view as text alone, and the decoders that made it from the original, in order. */
interface ViewText {
  text: string;
  chain: readonly Decoder[];
}

function decodedText(text: string, decoder: Decoder): string | undefined {
  const { sink, text: result } = textSink();
  return decoder(text, sink) ? result() : undefined;
}

/** Applies `decoder` to a mapped view, mapping the result back to the original text. */
function through(view: View, decoder: Decoder): View {
  const { sink, result } = mappedSink();
  decoder(view.text, sink);
  const decoded = result();
  return {
    text: decoded.text,
    start: decoded.start.map((offset) => startOf(view, offset)),
    end: decoded.end.map((offset) => endOf(view, offset - 1)),
  };
}

/** The view `chain` makes of `text`, with its maps (made only for a view a needle was found in). */
function mappedView(text: string, chain: readonly Decoder[]): View {
  let view: View = { text };
  for (const decoder of chain) view = through(view, decoder);
  return view;
}

/**
 * The text as it is, and decoded by every order of JSON unescaping (up to twice: JSON logged
 * inside a JSON string), percent-decoding and entity decoding, three steps at most (a secret
 * JSON-escaped inside a percent-encoded parameter inside HTML, and so on); and with line breaks
 * left out, and with backslashes before punctuation left out. Views that decode nothing are not made.
 */
function viewsOf(text: string): ViewText[] {
  const views: ViewText[] = [{ text, chain: [] }];
  const extend = (view: ViewText) => {
    for (const decoder of DECODERS) {
      // Each decoder once, JSON unescaping twice (a JSON text logged inside a JSON string).
      const times = view.chain.filter((d) => d === decoder).length;
      if (times >= (decoder === jsonUnescaped ? 2 : 1) || view.chain.length >= 3) continue;
      const next = decodedText(view.text, decoder);
      if (next === undefined) continue;
      const made = { text: next, chain: [...view.chain, decoder] };
      views.push(made);
      extend(made);
    }
  };
  extend({ text, chain: [] });
  for (const decoder of ALONE) {
    const next = decodedText(text, decoder);
    if (next !== undefined) views.push({ text: next, chain: [decoder] });
  }
  return views;
}

/**
 * The spans of `text` (offsets, end exclusive, merged, in order) where any of `needles` appears,
 * in any view. `pattern` is the alternation of the needles, longest first.
 */
export function secretSpans(text: string, pattern: RegExp): [number, number][] {
  const spans: [number, number][] = [];
  // Two orders of decoding often make the same text (an HTML report percent-decoded then
  // entity-decoded, and the other way round): it is searched once; its matches are mapped
  // through each chain that made it, since each may map them to other spans.
  const searched = new Map<string, RegExpExecArray[]>();
  for (const { text: decoded, chain } of viewsOf(text)) {
    let matches = searched.get(decoded);
    if (!matches) {
      pattern.lastIndex = 0;
      matches = [...decoded.matchAll(pattern)];
      searched.set(decoded, matches);
    }
    if (matches.length === 0) continue;
    const view = chain.length === 0 ? { text } : mappedView(text, chain);
    for (const match of matches) {
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
  for (const decoded of new Set(viewsOf(text).map((view) => view.text))) {
    pattern.lastIndex = 0;
    for (const match of decoded.matchAll(pattern)) found.add(match[0]);
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

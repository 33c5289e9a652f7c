/** Escaping text into XML and HTML (one set of rules serves both), and reading it back. */

/**
 * Text safe in an XML or HTML text node or quoted attribute. Characters neither can carry
 * (control characters other than tab and newlines, lone surrogates, U+FFFE, U+FFFF) become
 * U+FFFD.
 */
export function escapeMarkup(text: string): string {
  return text
    .replace(/\p{Cc}|\p{Cs}|[\uFFFE\uFFFF]/gu, (char) =>
      '\t\n\r'.includes(char) ? char : '\uFFFD',
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The text an XML or HTML reader sees: named and numeric character references decoded. */
export function decodeMarkup(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    )
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&amp;/g, '&');
}

/**
 * The head of a self-contained HTML report, from the doctype to `</head>`: UTF-8, a
 * Content-Security-Policy that forbids every fetch and every script (inline CSS only), and the
 * title escaped. One policy for every page this tool writes (a run's report, a merge's).
 *
 * @param title - plain text; escaped here.
 * @param css - the page's inline style sheet (ours, never target text).
 * @returns the lines to join with a newline.
 */
export function htmlHead(title: string, css: string): string[] {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeMarkup(title)}</title>`,
    `<style>${css}</style>`,
    '</head>',
  ];
}

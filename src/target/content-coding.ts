/**
 * Content codings (RFC 9110 §8.4, §12.5.3): a response body is judged by its content, so the
 * codings named in Content-Encoding are undone here, in reverse order, with node:zlib, and the
 * decoded size is bounded like the wire size (a small gzip body can inflate to gigabytes).
 *
 * undici has a decompress interceptor, but it is marked experimental (a process warning on first
 * use) and removes Content-Encoding from the headers, which the report must record and the header
 * checks must see as sent.
 */
import {
  brotliDecompressSync,
  constants,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from 'node:zlib';
import { quoted } from '../shared/text.ts';

export interface DecodedContent {
  bytes: Buffer;
  /** True when the decoded content was cut at `maxBytes`. */
  truncated: boolean;
  /** Present when the body had a content coding other than identity. */
  coding?: { codings: string[]; wireBytes: number; problem?: string };
}

type Decoder = (data: Buffer, options: ZlibOptions & { maxOutputLength: number }) => Buffer;

/** A "deflate" body is the zlib format (RFC 9110 §8.4.1.2); some servers send raw deflate. */
function inflateEither(data: Buffer, options: ZlibOptions & { maxOutputLength: number }): Buffer {
  try {
    return inflateSync(data, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
    return inflateRawSync(data, options);
  }
}

const DECODERS: Readonly<Record<string, Decoder>> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateEither,
  br: (data, options) =>
    brotliDecompressSync(data, {
      maxOutputLength: options.maxOutputLength,
      ...(options.finishFlush === undefined
        ? {}
        : { finishFlush: constants.BROTLI_OPERATION_FLUSH }),
    }),
};

/**
 * The content of a body whose Content-Encoding is `contentEncoding`. `truncated` says the wire
 * bytes were cut at the read cap, so the last block is flushed rather than required whole. An
 * unknown coding or corrupt data leaves `bytes` empty and says why in `coding.problem`.
 */
export function decodeContent(
  wire: Buffer,
  contentEncoding: string | undefined,
  options: { maxBytes: number; truncated: boolean },
): DecodedContent {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '' && item !== 'identity');
  if (codings.length === 0) return { bytes: wire, truncated: false };
  const coding = { codings, wireBytes: wire.length };
  if (wire.length === 0) return { bytes: wire, truncated: false, coding };
  let bytes = wire;
  let truncated = false;
  for (const name of [...codings].reverse()) {
    const decoder = DECODERS[name];
    if (!decoder) {
      return {
        bytes: Buffer.alloc(0),
        truncated: false,
        coding: {
          ...coding,
          problem: `the body is in the content coding ${quoted(name, 40)}, which the request did not accept and the suite cannot decode (RFC 9110 §12.5.3)`,
        },
      };
    }
    try {
      bytes = decoder(bytes, {
        maxOutputLength: options.maxBytes,
        ...(options.truncated ? { finishFlush: constants.Z_SYNC_FLUSH } : {}),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return {
          bytes: Buffer.alloc(0),
          truncated: true,
          coding: {
            ...coding,
            problem: `the ${name} body decodes to more than ${options.maxBytes} bytes, the read cap`,
          },
        };
      }
      return {
        bytes: Buffer.alloc(0),
        truncated,
        coding: {
          ...coding,
          problem: `the body does not decode as ${name}: ${(error as Error).message.slice(0, 120)}`,
        },
      };
    }
    truncated ||= options.truncated;
  }
  return { bytes, truncated, coding };
}

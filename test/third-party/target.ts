/**
 * What every third-party launcher in this folder returns: a server nobody here wrote, started on
 * 127.0.0.1 on an ephemeral port, with two confidential clients that authenticate with HTTP Basic
 * (client_secret_basic), and how to stop it.
 */
import { randomBytes } from 'node:crypto';

export type AccountName = 'primary' | 'secondary';

export interface ThirdPartyTarget {
  /** Base URL, `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** Client ids with an underscore, like Atlas's (mdb_sa_id_...). */
  accounts: Record<AccountName, { clientId: string; clientSecret: string }>;
  tokenPath: string;
  revokePath: string;
  /** A Bearer-protected resource that answers 200 for a live token and 401 otherwise, if any. */
  probePath?: string;
  /** Stops the server (and anything started beside it); resolves once it is down. */
  close(): Promise<void>;
}

/** The client ids every launcher registers. */
export const CLIENT_IDS: Record<AccountName, string> = {
  primary: 'conformance_client',
  secondary: 'conformance_other_client',
};

/**
 * A client secret in standard base64 (RFC 4648 §4) of 32 random bytes that holds each of `+`, `/`
 * and `=`: the characters whose form-urlencoding (RFC 6749 Appendix B) differs from the raw text,
 * so a server's reading of HTTP Basic credentials (raw or form-decoded) shows in its verdicts.
 */
export function reservedCharacterSecret(): string {
  for (;;) {
    // 32 bytes encode to 43 characters and one '=' of padding.
    const secret = randomBytes(32).toString('base64');
    if (secret.includes('+') && secret.includes('/')) return secret;
  }
}

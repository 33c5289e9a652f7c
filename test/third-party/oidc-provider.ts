/**
 * node-oidc-provider (a certified OpenID provider nobody here wrote) as a third-party target for
 * the rfc6749 profile: client_credentials and revocation enabled, one confidential client that
 * authenticates with client_secret_basic. It listens on 127.0.0.1 on an ephemeral port.
 *
 * Kept quiet: a JWKS and cookie keys generated at start and a private in-memory adapter replace
 * the provider's development defaults, and devInteractions is off, so it prints none of its
 * quick-start warnings.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { CLIENT_IDS, reservedCharacterSecret, type ThirdPartyTarget } from './target.ts';

export interface OidcProviderTarget extends ThirdPartyTarget {
  /** A Bearer-protected resource: the rfc6749 profile's resourceProbe. */
  probePath: string;
}

export interface OidcProviderOptions {
  /**
   * How the client secrets are made: `base64url` (the default: 48 random bytes, letters, digits,
   * `-` and `_` only) or `base64` (standard base64 that holds `+`, `/` and `=`). oidc-provider reads
   * HTTP Basic credentials as RFC 6749 §2.3.1 says, form-decoding both parts, so with `base64`
   * secrets a client that sends them raw is refused (`+` decodes to a space).
   */
  secrets?: 'base64url' | 'base64';
}
/** The provider's default routes (configuration `routes.token` and `routes.revocation`). */
const TOKEN_PATH = '/token';
const REVOKE_PATH = '/token/revocation';

/**
 * A Bearer-protected resource beside the provider, so the suite can prove an issued token works
 * (RFC 6750 §2.1): 200 for a client_credentials token the provider knows, 401 otherwise.
 */
const PROBE_PATH = '/conformance/resource';

async function answerProbe(
  provider: Provider,
  authorization: string | undefined,
  res: ServerResponse,
): Promise<void> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const found = token
    ? await provider.ClientCredentials.find(token).catch(() => undefined)
    : undefined;
  if (found && !found.isExpired) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  res
    .writeHead(401, {
      'content-type': 'application/json',
      'www-authenticate': 'Bearer error="invalid_token"',
    })
    .end('{"error":"invalid_token"}');
}

type Payload = Record<string, unknown> & { grantId?: string; consumed?: number };

/** One adapter storage per provider instance; enough for client_credentials and revocation. */
function memoryAdapter() {
  const store = new Map<string, { payload: Payload; expiresAt: number | undefined }>();
  const grants = new Map<string, string[]>();
  return class MemoryAdapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const key = this.key(id);
      if (payload.grantId)
        grants.set(payload.grantId, [...(grants.get(payload.grantId) ?? []), key]);
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    }

    async find(id: string): Promise<Payload | undefined> {
      const entry = store.get(this.key(id));
      if (!entry) return undefined;
      if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
        store.delete(this.key(id));
        return undefined;
      }
      return entry.payload;
    }

    async findByUid(): Promise<undefined> {
      return undefined;
    }

    async findByUserCode(): Promise<undefined> {
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const entry = store.get(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
}

function signingKeys(): { keys: Record<string, unknown>[] } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }] };
}

/** Starts the provider with two fresh clients on 127.0.0.1:0; resolves once it listens. */
export async function startOidcProvider(
  options: OidcProviderOptions = {},
): Promise<OidcProviderTarget> {
  const secret = () =>
    options.secrets === 'base64'
      ? reservedCharacterSecret()
      : randomBytes(48).toString('base64url');
  const accounts = {
    primary: { clientId: CLIENT_IDS.primary, clientSecret: secret() },
    secondary: { clientId: CLIENT_IDS.secondary, clientSecret: secret() },
  };
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const provider = new Provider(url, {
    adapter: memoryAdapter(),
    jwks: signingKeys(),
    clients: Object.values(accounts).map(({ clientId, clientSecret }) => ({
      client_id: clientId,
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    })),
    features: {
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: false },
    },
    // Set explicitly so that the provider does not report calling its defaults.
    ttl: { ClientCredentials: 3600 },
    clientBasedCORS: () => false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.split('?', 1)[0] === PROBE_PATH) {
      void answerProbe(provider, req.headers.authorization, res);
      return;
    }
    handle(req, res);
  });

  return {
    url,
    accounts,
    tokenPath: TOKEN_PATH,
    revokePath: REVOKE_PATH,
    probePath: PROBE_PATH,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

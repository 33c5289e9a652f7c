/**
 * @node-oauth/oauth2-server (npm) as a third-party target for the rfc6749 profile: the library's
 * token handler with the client_credentials grant and a minimal in-memory model, and its
 * authenticate() behind a Bearer-protected resource (the suite's resource probe). It listens on
 * 127.0.0.1 on an ephemeral port.
 *
 * The library has no revocation endpoint. The one here is written on the model and follows
 * RFC 7009: POST with a form body, the client authenticated exactly as the library's token
 * endpoint does it (TokenHandler#getClient: 401 invalid_client with a Basic challenge), `token`
 * required (400 invalid_request), `token_type_hint` ignored (§2.1 allows it), the client's own
 * token revoked, an unknown token answered 200 (§2.2), another client's token refused with
 * 400 invalid_grant ("was issued to another client", RFC 6749 §5.2) and left alone.
 *
 * Requests and responses go through the library's Request and Response objects the way its
 * Express adapter (@node-oauth/express-oauth-server) does it: a form body parsed like
 * express.urlencoded({ extended: false }) (node:querystring), errors answered with
 * `{ error, error_description }` and the error's status.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parse as parseForm } from 'node:querystring';
import OAuth2Server from '@node-oauth/oauth2-server';
import { CLIENT_IDS, reservedCharacterSecret, type ThirdPartyTarget } from './target.ts';

const TOKEN_PATH = '/oauth/token';
const REVOKE_PATH = '/oauth/revoke';
const PROBE_PATH = '/api/resource';
const TOKEN_LIFETIME_SECONDS = 3600;
/** Request bodies past this are refused (413) before parsing, as body-parser's default limit. */
const MAX_BODY_BYTES = 100 * 1024;

interface StoredClient extends OAuth2Server.Client {
  secret: string;
}

/** The library's own token handler; its getClient is the client authentication reused for revocation. */
interface TokenHandlerLike {
  getClient(
    request: OAuth2Server.Request,
    response: OAuth2Server.Response,
  ): Promise<OAuth2Server.Client>;
}
const TokenHandler = createRequire(import.meta.url)(
  '@node-oauth/oauth2-server/lib/handlers/token-handler.js',
) as new (
  options: Record<string, unknown>,
) => TokenHandlerLike;

function sameSecret(given: string, stored: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A minimal in-memory model: the methods the client_credentials grant and authenticate() call. */
function memoryModel(clients: StoredClient[]) {
  const tokens = new Map<string, OAuth2Server.Token>();
  const model: OAuth2Server.ClientCredentialsModel = {
    async getClient(clientId, clientSecret) {
      const client = clients.find((c) => c.id === clientId);
      if (!client || !sameSecret(clientSecret ?? '', client.secret)) return false;
      return client;
    },
    async getUserFromClient(client) {
      // A client_credentials token acts for the client itself.
      return { id: client.id };
    },
    async saveToken(token, client, user) {
      const saved = { ...token, client, user };
      tokens.set(token.accessToken, saved);
      return saved;
    },
    async getAccessToken(accessToken) {
      return tokens.get(accessToken) ?? false;
    },
  };
  return { model, tokens };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: unknown,
) {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res
    .writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(body));
}

/** As the Express adapter's handleError: the response's headers, the error's status and body. */
function sendError(res: ServerResponse, error: unknown, response: OAuth2Server.Response) {
  if (!(error instanceof OAuth2Server.OAuthError)) {
    send(res, 500, {}, { error: 'server_error', error_description: 'Server error' });
    return;
  }
  const headers = response.headers as Record<string, string>;
  if (error instanceof OAuth2Server.UnauthorizedRequestError) {
    send(res, error.code, headers);
    return;
  }
  send(res, error.code, headers, { error: error.name, error_description: error.message });
}

/** Starts the server with two fresh clients on 127.0.0.1:0; resolves once it listens. */
export async function startNodeOAuth2Server(): Promise<ThirdPartyTarget> {
  const accounts = {
    primary: { clientId: CLIENT_IDS.primary, clientSecret: reservedCharacterSecret() },
    secondary: { clientId: CLIENT_IDS.secondary, clientSecret: reservedCharacterSecret() },
  };
  const { model, tokens } = memoryModel(
    Object.values(accounts).map(({ clientId, clientSecret }) => ({
      id: clientId,
      secret: clientSecret,
      grants: ['client_credentials'],
    })),
  );
  const oauth = new OAuth2Server({ model, accessTokenLifetime: TOKEN_LIFETIME_SECONDS });
  const tokenHandler = new TokenHandler({
    model,
    accessTokenLifetime: TOKEN_LIFETIME_SECONDS,
    refreshTokenLifetime: 1,
  });

  async function revoke(request: OAuth2Server.Request, response: OAuth2Server.Response) {
    if (request.method !== 'POST') {
      throw new OAuth2Server.InvalidRequestError('Invalid request: method must be POST');
    }
    if (!request.is(['application/x-www-form-urlencoded'])) {
      throw new OAuth2Server.InvalidRequestError(
        'Invalid request: content must be application/x-www-form-urlencoded',
      );
    }
    const client = await tokenHandler.getClient(request, response);
    const token: unknown = request.body.token;
    if (typeof token !== 'string' || token === '') {
      throw new OAuth2Server.InvalidRequestError('Missing parameter: `token`');
    }
    const found = tokens.get(token);
    if (found && found.client.id !== client.id) {
      throw new OAuth2Server.InvalidGrantError('Invalid grant: token was issued to another client');
    }
    if (found) tokens.delete(token);
  }

  const server = createServer((req, res) => {
    void (async () => {
      const [path, query = ''] = (req.url ?? '/').split('?', 2);
      const text = await readBody(req);
      if (text === undefined) {
        send(res, 413, {}, { error: 'invalid_request', error_description: 'Body too large' });
        return;
      }
      const request = new OAuth2Server.Request({
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string>,
        // A repeated query parameter stays an array, as in Express.
        query: parseForm(query) as Record<string, string>,
      });
      // As express.urlencoded(): only a body of that media type is parsed.
      if (request.is(['application/x-www-form-urlencoded'])) request.body = parseForm(text);
      const response = new OAuth2Server.Response({ headers: {} });
      try {
        if (path === TOKEN_PATH) {
          await oauth.token(request, response);
          send(
            res,
            response.status ?? 200,
            response.headers as Record<string, string>,
            response.body,
          );
        } else if (path === REVOKE_PATH) {
          await revoke(request, response);
          send(res, 200, {});
        } else if (path === PROBE_PATH) {
          await oauth.authenticate(request, response);
          send(res, 200, {}, { ok: true });
        } else {
          send(res, 404, {}, { error: 'not_found' });
        }
      } catch (error) {
        sendError(res, error, response);
      }
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
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

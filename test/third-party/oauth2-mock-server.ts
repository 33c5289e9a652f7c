/**
 * oauth2-mock-server (npm), a popular OAuth 2 mock nobody here wrote, as a third-party target for
 * the rfc6749 profile. It listens on 127.0.0.1 on an ephemeral port. It checks no client
 * credentials at all, which the suite must report.
 */
import { OAuth2Server } from 'oauth2-mock-server';

export interface OAuth2MockServerTarget {
  url: string;
  tokenPath: string;
  revokePath: string;
  close(): Promise<void>;
}

export async function startOAuth2MockServer(): Promise<OAuth2MockServerTarget> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const url = server.issuer.url;
  if (!url) throw new Error('oauth2-mock-server started without a URL');
  return {
    url: url.replace(/\/$/, ''),
    tokenPath: '/token',
    revokePath: '/revoke',
    close: () => server.stop(),
  };
}

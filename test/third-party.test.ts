// Soundness against a server nobody here wrote: node-oidc-provider (a certified OpenID provider)
// with client_credentials, held to the rfc6749 profile, fails nothing.
import { afterAll, expect, test } from 'vitest';
import { failedRequirementIds, runSuite } from './support/cli.ts';
import { startOAuth2MockServer } from './third-party/oauth2-mock-server.ts';
import { type OidcProviderTarget, startOidcProvider } from './third-party/oidc-provider.ts';

let provider: OidcProviderTarget | undefined;
afterAll(async () => {
  await provider?.close();
});

test('node-oidc-provider passes --profile rfc6749; its one finding is a warning', async () => {
  provider = await startOidcProvider();
  const config = {
    accounts: provider.accounts,
    paths: { token: provider.tokenPath, revoke: provider.revokePath },
    resourceProbe: { path: provider.probePath, accept: 'application/json' },
  };
  // With generated malformed requests too: oidc-provider must refuse every one of them properly.
  const result = await runSuite('oidc-provider', provider.url, config, [
    '--profile',
    'rfc6749',
    '--fuzz',
    '15',
  ]);
  const { cases } = result;
  expect(failedRequirementIds(cases), result.stdout).toEqual([]);
  expect(result.code).toBe(0);
  // Judged, not skipped: the success path, with the token proven at the probe.
  const passed = cases.filter((c) => c.state === 'passed').map((c) => c.name);
  expect(passed).toContain('token.200.access_token.works [client_credentials]');
  expect(passed).toContain('token.rfc.www-authenticate.basic [wrong secret]');
  expect(passed).toContain('token.malformed.refused [generated malformed requests]');
  expect(passed).toContain('revoke.malformed.refused [generated malformed requests]');
  // oidc-provider sends Cache-Control: no-store but no Pragma (lib/shared/no_cache.js); RFC 6749
  // §5.1 asks for both, RFC 9111 §5.4 deprecates Pragma: held as a should, so it warns.
  const warned = cases.filter((c) => c.properties.warning).map((c) => c.name);
  expect(warned).toEqual(['token.rfc.pragma [client_credentials]']);
  // What it cannot be made to do is skipped with its reason, never passed.
  // base64url secrets hold no character the form encoding changes: nothing tells the encodings
  // apart, so RFC 6749 §2.3.1's form is not judged here (third-party-servers.test.ts judges it).
  for (const skipped of cases.filter((c) => c.state === 'skipped')) {
    expect(skipped.properties.skipped).toMatch(
      /^(trigger (fixture|fault): |not judged: the primary credentials hold no character whose form-urlencoded form differs|not judged: not a 401 \(got 400\))/,
    );
  }
});

test('oauth2-mock-server fails --profile rfc6749 where it accepts anything', async () => {
  const server = await startOAuth2MockServer();
  try {
    const config = {
      accounts: {
        primary: { clientId: 'conformance_client', clientSecret: 'x'.repeat(40) },
        secondary: { clientId: 'other_client', clientSecret: 'y'.repeat(40) },
      },
      paths: { token: server.tokenPath, revoke: server.revokePath },
      resourceProbe: null,
    };
    const result = await runSuite('oauth2-mock-server', server.url, config, [
      '--profile',
      'rfc6749',
    ]);
    expect(result.code).toBe(1);
    // It checks no client credentials (any id, any secret, none at all get a token or a 200),
    // answers an unknown grant_type with invalid_grant, a missing one with a 500 HTML page,
    // and a revocation without a token with 200.
    expect(failedRequirementIds(result.cases)).toEqual([
      'revoke.invalid_client.401',
      'revoke.missing-token.400',
      'revoke.no-client-auth.rejected',
      'revoke.rfc.error-body',
      'token.invalid_client.401',
      'token.malformed-authorization.rejected',
      'token.missing-grant-type.400',
      'token.no-client-auth.rejected',
      'token.rfc.content-type',
      'token.rfc.error-body',
      'token.unsupported_grant_type.400',
    ]);
    const wrongSecret = result.cases.find(
      (c) => c.name === 'token.invalid_client.401 [wrong secret]',
    );
    expect(wrongSecret?.failure).toContain('expected 401 invalid_client, got 200');
  } finally {
    await server.close();
  }
});

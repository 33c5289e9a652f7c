/**
 * Authlib's authorization server (Debian python3-authlib with python3-flask, run with Debian's
 * /usr/bin/python3) as a third-party target for the rfc6749 profile: the Flask app in
 * authlib/server.py, started as a child process on 127.0.0.1 on an ephemeral port. Its clients'
 * secrets hold `+`, `/` and `=` and reach it on stdin, never on a command line.
 */
import { packagePath } from '../../src/shared/paths.ts';
import { startProcess, whyNotRunnable } from './process.ts';
import { CLIENT_IDS, reservedCharacterSecret, type ThirdPartyTarget } from './target.ts';

export const PYTHON = '/usr/bin/python3';

/** Why the app cannot run on this machine, or undefined when it can. */
export function authlibMissing(): string | undefined {
  const why = whyNotRunnable(PYTHON, ['-c', 'import authlib, flask']);
  return why === undefined
    ? undefined
    : `${PYTHON} cannot import authlib and flask (Debian python3-authlib, python3-flask; .ci/run installs them): ${why}`;
}

/**
 * Starts the Authlib app with two fresh clients; resolves once it listens.
 *
 * @throws Error with the app's last output when Python cannot start it within 30 s.
 */
export async function startAuthlib(): Promise<ThirdPartyTarget> {
  const accounts = {
    primary: { clientId: CLIENT_IDS.primary, clientSecret: reservedCharacterSecret() },
    secondary: { clientId: CLIENT_IDS.secondary, clientSecret: reservedCharacterSecret() },
  };
  const clients = Object.values(accounts).map(({ clientId, clientSecret }) => ({
    client_id: clientId,
    client_secret: clientSecret,
  }));
  const { process: server, match } = await startProcess(
    PYTHON,
    [packagePath('test', 'third-party', 'authlib', 'server.py'), '0'],
    {
      // No bytecode caches written into the source tree.
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      stdin: JSON.stringify({ clients }),
      ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      timeoutMs: 30_000,
    },
  );
  return {
    url: match?.[1] as string,
    accounts,
    tokenPath: '/oauth/token',
    revokePath: '/oauth/revoke',
    probePath: '/api/resource',
    close: () => server.stop(),
  };
}

// Adding a profile is a folder (issue 20): test/fixtures/profiles/acme is a fictional vendor (its
// own token path, an audience every token request must carry, its own error body), run with
// `--profile <its folder>` against a small server written here. No source file knows it.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { packagePath } from '../src/shared/paths.ts';
import { failedRequirementIds, runSuite } from './support/cli.ts';

const PROFILE = packagePath('test', 'fixtures', 'profiles', 'acme');
const AUDIENCE = 'https://api.acme.example';
const CLIENT = { clientId: 'acme-client', clientSecret: `acme-secret-${'s'.repeat(32)}` };

/** A token service as the acme pages describe it; `withoutTraceId` drops what they add to RFC 6749. */
function acmeServer(withoutTraceId: boolean) {
  const issued = new Set<string>();
  const answer = (res: ServerResponse, status: number, body?: object, headers = {}) => {
    const text = body ? JSON.stringify(body) : '';
    res.writeHead(status, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      ...headers,
    });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, code: string, headers = {}) =>
    answer(
      res,
      status,
      {
        error: code,
        error_description: `acme: ${code}`,
        ...(withoutTraceId ? {} : { trace_id: randomBytes(8).toString('hex') }),
      },
      headers,
    );
  const authenticated = (req: IncomingMessage): boolean => {
    const [scheme, value] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Basic' || !value) return false;
    const [id, secret] = Buffer.from(value, 'base64').toString('utf8').split(':');
    return (
      decodeURIComponent(id ?? '') === CLIENT.clientId &&
      decodeURIComponent(secret ?? '') === CLIENT.clientSecret
    );
  };
  return createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (body.length < 64_000) body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const challenge = { 'www-authenticate': 'Basic realm="acme"' };
      if (req.method !== 'POST') return error(res, 405, 'invalid_request');
      if (req.url === '/oauth2/v1/token') {
        if (!authenticated(req)) return error(res, 401, 'invalid_client', challenge);
        const grant = form.get('grant_type');
        if (!grant) return error(res, 400, 'invalid_request');
        if (grant !== 'client_credentials') return error(res, 400, 'unsupported_grant_type');
        if (form.get('audience') !== AUDIENCE) return error(res, 400, 'invalid_request');
        const token = randomBytes(24).toString('base64url');
        issued.add(token);
        return answer(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      }
      if (req.url === '/oauth2/v1/revoke') {
        if (!authenticated(req)) return error(res, 401, 'invalid_client', challenge);
        const token = form.get('token');
        if (!token) return error(res, 400, 'invalid_request');
        issued.delete(token);
        return answer(res, 200);
      }
      return error(res, 404, 'invalid_request');
    });
  });
}

async function runAgainst(withoutTraceId: boolean) {
  const server = acmeServer(withoutTraceId);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await runSuite(
      `acme-${withoutTraceId ? 'broken' : 'conforming'}`,
      `http://127.0.0.1:${port}`,
      { accounts: { primary: CLIENT }, resourceProbe: null },
      ['--profile', PROFILE, '--seed', '7'],
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('a profile folder of its own: its path, its audience and its error body are what the run judges', async () => {
  const result = await runAgainst(false);
  expect(failedRequirementIds(result.cases), result.stdout).toEqual([]);
  expect(result.code).toBe(0);
  const passed = result.cases.filter((c) => c.state === 'passed').map((c) => c.name);
  // The success case passes only if the profile's audience went with the request to its path.
  expect(passed).toContain('token.200.status [client_credentials]');
  expect(passed).toContain('token.acme.error-body [client_credentials without the audience]');
  expect(passed).toContain('token.acme.error-body [unknown client id]');
  expect(passed).toContain('token.rfc.www-authenticate.basic [unknown client id]');
});

test('the same server without the trace_id its pages promise fails the profile requirement, and only it', async () => {
  const result = await runAgainst(true);
  expect(failedRequirementIds(result.cases), result.stdout).toEqual(['token.acme.error-body']);
  expect(result.code).toBe(1);
});

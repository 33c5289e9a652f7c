// test/fixtures/clients/parallel.mjs (a correct parallel client: single-flight token, renews once
// after a 401, honours Retry-After) whose HTTP layer opens a new connection for every request, as
// clients without keep-alive do (Connection: close). Expected: passes every scenario, every time.
import { Agent, setGlobalDispatcher } from 'undici';

setGlobalDispatcher(new Agent({ pipelining: 0, keepAliveTimeout: 1, keepAliveMaxTimeout: 1 }));
await import('../../test/fixtures/clients/parallel.mjs');

// oidc-provider 8.x ships no type declarations (they live in @types/oidc-provider, which this
// project does not depend on). Only what test/third-party/oidc-provider.ts uses is declared.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    ClientCredentials: { find(token: string): Promise<{ isExpired: boolean } | undefined> };
  }
}

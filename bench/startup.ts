/**
 * The CLI's start-up: `oauth-conformance --help` (node, the loader, the command line), and `run`
 * from its start to its first request at a target (the same, plus the configuration, the catalog,
 * the run's modules and its plan). Medians of a few runs; the CLI runs as users run it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/shared/paths.ts';
import { measure, type ProcessCost } from './default-run.ts';

export interface Startup {
  help: ProcessCost;
  /** From spawning `run` to its first request arriving at the target, in seconds (median). */
  runToFirstRequestSeconds: number;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Spawns `run` against a local server and resolves when its first request arrives (the child is then stopped). */
async function runToFirstRequest(): Promise<number> {
  let arrived: (at: number) => void = () => {};
  const first = new Promise<number>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((_req, res) => {
    arrived(performance.now());
    res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'oauth-conformance-bench-startup-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      accounts: { primary: { clientId: 'mdb_sa_id_bench', clientSecret: 'mdb_sa_sk_bench' } },
    }),
  );
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      packagePath('bin', 'oauth-conformance.js'),
      'run',
      '--target',
      `http://127.0.0.1:${port}`,
      '--config',
      config,
      '--reports',
      join(dir, 'reports'),
      '--seed',
      '1',
    ],
    { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } },
  );
  try {
    const at = await Promise.race([
      first,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error('run sent no request in 60 s')), 60_000),
      ),
    ]);
    return (at - started) / 1000;
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    await new Promise((resolve) => server.close(resolve));
  }
}

export async function measureStartup(runs = 5): Promise<Startup> {
  const help = measure([process.execPath, 'bin/oauth-conformance.js', '--help'], runs);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await runToFirstRequest());
  return { help, runToFirstRequestSeconds: median(times) };
}

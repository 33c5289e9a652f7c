// The plan is exact (issue 17): the run's budget books exactly the requests the plan counts, under
// the same keys, and the run takes no less than the least wall time the plan states.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { packagePath } from '../src/shared/paths.ts';
import { tempDir } from './support/cli.ts';

interface EmbeddedRun {
  exitCode: number;
  elapsedMs: number;
  plan: { leastWallMs: number; byKey: Record<string, number>; requests: Record<string, number> };
  spend: { token: number; revoke: number; unplanned429s: number };
  spentByKey: Record<string, number>;
  failed: string[];
}

function runEmbedded(args: string[]): Promise<EmbeddedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', packagePath('test', 'support', 'run-embedded.ts'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as EmbeddedRun);
      } catch {
        reject(new Error(`no result: ${out}\n${err}`));
      }
    });
  });
}

test('the embedded run books exactly the planned requests, key by key, in no less than the planned time', async () => {
  const dir = tempDir('plan-exact');
  const run = await runEmbedded(['--seed', '3', '--reports', join(dir, 'reports')]);
  expect(run.failed).toEqual([]);
  expect(run.exitCode).toBe(0);
  expect(run.spend.unplanned429s).toBe(0);
  expect(run.spentByKey).toEqual(run.plan.byKey);
  expect({ token: run.spend.token, revoke: run.spend.revoke }).toEqual(run.plan.requests);
  expect(run.elapsedMs).toBeGreaterThanOrEqual(run.plan.leastWallMs);
  expect(run.plan.leastWallMs).toBeGreaterThan(0);
}, 120_000);

/** The full default run (npm start) beside vitest running one empty test file: wall time and peak memory. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/paths.ts';

export interface ProcessCost {
  wallSeconds: number;
  peakMiB: number;
}

/** Runs a command under GNU time (wall seconds, peak resident set) and returns the median of `runs`. */
function measure(command: string[], runs: number): ProcessCost {
  const samples: ProcessCost[] = [];
  for (let i = 0; i < runs; i++) {
    const out = join(mkdtempSync(join(tmpdir(), 'oauth-conformance-time-')), 'time');
    execFileSync('/usr/bin/time', ['-f', '%e %M', '-o', out, ...command], {
      cwd: packagePath(),
      stdio: 'ignore',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const [wall, kib] = readFileSync(out, 'utf8').trim().split(/\s+/).map(Number);
    samples.push({ wallSeconds: wall ?? 0, peakMiB: (kib ?? 0) / 1024 });
  }
  const median = (values: number[]) =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return {
    wallSeconds: median(samples.map((s) => s.wallSeconds)),
    peakMiB: median(samples.map((s) => s.peakMiB)),
  };
}

export function measureDefaultRun(runs = 3): { run: ProcessCost; floor: ProcessCost } {
  const reports = mkdtempSync(join(tmpdir(), 'oauth-conformance-bench-reports-'));
  const run = measure(
    [process.execPath, 'bin/oauth-conformance.js', 'run', '--seed', '1', '--reports', reports],
    runs,
  );
  const floor = measure(
    [
      process.execPath,
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'bench/floor/vitest.config.ts',
    ],
    runs,
  );
  return { run, floor };
}

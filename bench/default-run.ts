/** The full default run (npm start) beside vitest running one empty test file: wall time and peak memory. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/shared/paths.ts';

export interface ProcessCost {
  wallSeconds: number;
  peakMiB: number;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Runs a command under GNU time (wall seconds, peak resident set) `runs` times and returns the
 * median of each, and the last run's standard output.
 */
export function measure(command: string[], runs: number): ProcessCost & { stdout: string } {
  const samples: ProcessCost[] = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const out = join(mkdtempSync(join(tmpdir(), 'oauth-conformance-time-')), 'time');
    stdout = execFileSync('/usr/bin/time', ['-f', '%e %M', '-o', out, ...command], {
      cwd: packagePath(),
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    }).toString();
    const [wall, kib] = readFileSync(out, 'utf8').trim().split(/\s+/).map(Number);
    samples.push({ wallSeconds: wall ?? 0, peakMiB: (kib ?? 0) / 1024 });
  }
  return {
    wallSeconds: median(samples.map((s) => s.wallSeconds)),
    peakMiB: median(samples.map((s) => s.peakMiB)),
    stdout,
  };
}

export interface DefaultRun {
  run: ProcessCost;
  floor: ProcessCost;
  /** The run's plan and spent lines (the last run's), as printed. */
  lines: string[];
}

export function measureDefaultRun(runs = 3): DefaultRun {
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
  const lines = run.stdout.split('\n').filter((line) => /^( {2}(plan|limits) |spent )/.test(line));
  return { run, floor, lines };
}

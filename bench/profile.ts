/**
 * Where the default run's time goes: one `npm start` run under V8's sampling profiler
 * (`node --cpu-prof`, one profile per thread: the CLI's main thread, which also serves the embedded
 * mock, and the suites' worker), each thread's samples put into a few named buckets by the frame
 * that was running, and its timeline cut into slices of a fixed length. The profiles stay on disk
 * for Chrome DevTools or speedscope.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/shared/paths.ts';

/** The part of a V8 .cpuprofile this reads (Chrome DevTools Protocol, Profiler.Profile). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  /** Microseconds, on a clock every thread of the process shares. */
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

export interface ThreadProfile {
  /** `main` (the CLI and the embedded mock) or `suites` (vitest's worker). */
  thread: string;
  /** From the process's first profile start to this thread's, and this thread's length, in ms. */
  startMs: number;
  wallMs: number;
  /** Milliseconds of samples per bucket, largest first; `idle` is waiting (timers, sockets). */
  buckets: [string, number][];
  /** Per slice of {@link SLICE_MS}: the slice's start (ms from the process's start) and its two largest buckets. */
  timeline: { atMs: number; top: [string, number][] }[];
}

export const SLICE_MS = 250;

/** The bucket of a sample, from the frame running and the frames below it (innermost first). */
function bucketOf(stack: { functionName: string; url: string }[]): string {
  const [top] = stack;
  if (!top) return 'other';
  if (top.functionName === '(idle)') return 'idle';
  if (top.functionName === '(garbage collector)') return 'garbage collection';
  if (top.functionName === '(program)') return 'V8 and native code';
  if (/^sign(OneShot)?$/.test(top.functionName) && top.url.includes('crypto'))
    return 'the mock: signing tokens (node:crypto)';
  for (const frame of stack) {
    const url = frame.url;
    if (url.includes('/node_modules/')) {
      const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? 'a dependency';
      if (
        name === 'vite' ||
        name === 'vitest' ||
        name.startsWith('@vitest/') ||
        name === 'rolldown'
      )
        return 'vitest and vite';
      return name;
    }
    const ours = /\/dist\/(src\/[^/]+|suites)\//.exec(url);
    if (ours) return ours[1] === 'suites' ? 'suites/' : `${ours[1]}/`;
  }
  if (stack.some((frame) => frame.url.startsWith('node:internal/modules')))
    return 'loading modules (node)';
  return 'node (other)';
}

function summarise(profile: CpuProfile, thread: string, processStart: number): ThreadProfile {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const buckets = new Map<string, number>();
  const slices = new Map<number, Map<string, number>>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const stack: { functionName: string; url: string }[] = [];
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node) stack.push(node.callFrame);
    }
    const bucket = bucketOf(stack);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + ms);
    const slice = Math.floor((at - processStart) / 1000 / SLICE_MS) * SLICE_MS;
    const inSlice = slices.get(slice) ?? new Map<string, number>();
    inSlice.set(bucket, (inSlice.get(bucket) ?? 0) + ms);
    slices.set(slice, inSlice);
  }
  const largest = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    thread,
    startMs: (profile.startTime - processStart) / 1000,
    wallMs: (profile.endTime - profile.startTime) / 1000,
    buckets: largest(buckets),
    timeline: [...slices]
      .sort((a, b) => a[0] - b[0])
      .map(([atMs, map]) => ({ atMs, top: largest(map).slice(0, 2) })),
  };
}

/** Runs `oauth-conformance run` (built) once under --cpu-prof and summarises each thread. */
export function profileDefaultRun(): { dir: string; threads: ThreadProfile[] } {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-conformance-bench-profile-'));
  const reports = join(dir, 'reports');
  execFileSync(
    process.execPath,
    [
      '--cpu-prof',
      // One argument: vitest's worker thread, which inherits it, refuses the two-argument form.
      `--cpu-prof-dir=${dir}`,
      'bin/oauth-conformance.js',
      'run',
      '--seed',
      '1',
      '--reports',
      reports,
    ],
    { cwd: packagePath(), stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } },
  );
  // One file per thread, named CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile.
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]));
  const profiles = files.map(
    (name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile,
  );
  const processStart = Math.min(...profiles.map((profile) => profile.startTime));
  return {
    dir,
    threads: profiles.map((profile, index) =>
      summarise(profile, index === 0 ? 'main' : 'suites', processStart),
    ),
  };
}

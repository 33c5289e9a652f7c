/** Runs the program under test once: its environment, a time limit, its output kept short (the caller redacts it). */
import { spawn } from 'node:child_process';
import { shownText } from '../shared/text.ts';
import type { ProgramResult } from './judgements.ts';

/**
 * How much of each output stream is kept while the program runs (the end of it): more than the
 * report shows ({@link OUTPUT_SHOWN_CHARS}), so that the caller redacts first and clips after, and
 * a secret across the cut is replaced whole. Bounded whatever the program prints.
 */
const TAIL_BYTES = 24 * 1024;
/** How much of each output stream's end a report shows, once redacted. */
export const OUTPUT_SHOWN_CHARS = 8 * 1024;
/** After SIGTERM at the time limit, how long before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/**
 * After the program exits, how long what it left running in its process group (and holding its
 * output open) may go on before it is killed: the program is judged by its own exit, not by a
 * background child's.
 */
const LEFTOVER_GRACE_MS = 1_000;

/** The end of an output stream, kept bounded as it comes: at most twice TAIL_BYTES held at once. */
function tailKeeper() {
  let chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk: Buffer) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > 2 * TAIL_BYTES) {
        const all = Buffer.concat(chunks);
        chunks = [all.subarray(all.length - TAIL_BYTES)];
        size = TAIL_BYTES;
      }
    },
    text() {
      const all = Buffer.concat(chunks);
      return all.subarray(Math.max(0, all.length - TAIL_BYTES)).toString('utf8');
    },
  };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    // The program runs in its own process group, so its children go with it.
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export interface ProgramRun {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  timeoutMs: number;
  /** Called once the process is spawned (the clock of the scenario starts here). */
  onStart?: () => void;
  /** Called when the process itself exits (what it left running may still hold its output). */
  onExit?: () => void;
  /** Aborting kills the program's process group at once (Ctrl-C of the harness). */
  signal?: AbortSignal;
}

export function runProgram(run: ProgramRun): Promise<ProgramResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const stdout = tailKeeper();
    const stderr = tailKeeper();
    let timedOut = false;
    let settled = false;
    let exitedAt: number | undefined;
    const child = spawn(run.command, [...run.args], {
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    run.onStart?.();
    const finish = (
      result: Omit<ProgramResult, 'durationMs' | 'stdout' | 'stderr' | 'timedOut'>,
    ) => {
      if (settled) return;
      settled = true;
      run.signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({
        ...result,
        timedOut,
        durationMs: Math.round((exitedAt ?? performance.now()) - started),
        stdout: stdout.text(),
        stderr: stderr.text(),
      });
    };
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    }, run.timeoutMs);
    // The program has a process group of its own, so the terminal's Ctrl-C does not reach it.
    const abort = () => killGroup(child.pid, 'SIGKILL');
    run.signal?.addEventListener('abort', abort, { once: true });
    if (run.signal?.aborted) abort();
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      finish({ exitCode: null, signal: null, spawnError: error.message });
    });
    // The program's own exit decides its status and its time; a background child it left with
    // its output open ('close' waits for that) must not turn an exit into "did not exit in time".
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.once('exit', (code, signal) => {
      exitedAt = performance.now();
      exited = { code, signal };
      run.onExit?.();
      if (!timedOut) clearTimeout(timer);
      clearTimeout(killer);
      killer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), LEFTOVER_GRACE_MS);
    });
    child.once('close', (code, signal) => {
      // Whatever it left running in its group does not outlive the scenario.
      killGroup(child.pid, 'SIGKILL');
      finish({ exitCode: exited ? exited.code : code, signal: exited ? exited.signal : signal });
    });
  });
}

/** "exited 1", "was killed after 20 s", "could not be started: ...", with its first stderr line. */
export function describeExit(program: ProgramResult, timeoutMs: number): string {
  if (program.spawnError) return `could not be started: ${program.spawnError}`;
  if (program.timedOut) return `did not exit within ${timeoutMs / 1000} s and was killed`;
  const how =
    program.exitCode === null ? `was ended by ${program.signal}` : `exited ${program.exitCode}`;
  const line = program.stderr.trim().split('\n').at(-1)?.trim();
  return line ? `${how} (stderr: ${shownText(line, 200)})` : how;
}

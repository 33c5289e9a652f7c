/**
 * Starting a third-party server as a child process: wait until its output shows it is up, keep
 * the last of its output for error messages (never printed otherwise: the self-tests stay quiet),
 * and stop it with SIGTERM, then SIGKILL.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/** How much of a child's output is kept for error messages, in characters. */
const KEPT_OUTPUT = 4000;

export interface ServerProcess {
  child: ChildProcess;
  /** The last few thousand characters the process wrote (stdout and stderr interleaved). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (e.g. secrets, never on a command line). */
  stdin?: string;
  /**
   * The process is up when this matches its output so far; the match is returned. Absent: as soon
   * as it has been spawned (the caller then checks readiness itself, e.g. over HTTP).
   */
  ready?: RegExp;
  /** How long it may take, in ms. */
  timeoutMs: number;
}

/**
 * Runs `command` and resolves once `ready` matches its output.
 *
 * @throws Error naming the command and its last output when it exits first or does not become
 *   ready within `timeoutMs` (the process is killed then).
 */
export async function startProcess(
  command: string,
  args: string[],
  options: StartOptions,
): Promise<{ process: ServerProcess; match: RegExpExecArray | undefined }> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let kept = '';
  const keep = (chunk: Buffer) => {
    kept = (kept + chunk.toString('utf8')).slice(-KEPT_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.stdin?.end(options.stdin ?? '');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const serverProcess: ServerProcess = { child, output: () => kept, stop };

  const match = await new Promise<RegExpExecArray | undefined>((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      void stop(0);
      reject(new Error(`${command} ${why}; its last output:\n${kept.trim() || '(none)'}`));
    };
    const check = () => {
      const found = options.ready?.exec(kept);
      if (found) {
        cleanup();
        resolve(found);
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited (${signal ?? `status ${code}`}) before it was ready`);
    const onError = (error: Error) => fail(`could not be started: ${error.message}`);
    const onSpawn = () => {
      if (options.ready === undefined) {
        cleanup();
        resolve(undefined);
      }
    };
    const timer = setTimeout(
      () => fail(`was not ready within ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', onExit);
      child.off('error', onError);
      child.off('spawn', onSpawn);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', onExit);
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
  return { process: serverProcess, match };
}

/**
 * Why `command args` cannot run here (its stderr's first line, or the error), or undefined when it
 * exits 0. For "is the runtime installed" checks before a test.
 */
export function whyNotRunnable(command: string, args: string[]): string | undefined {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    return undefined;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    const line = stderr.split('\n').at(-1);
    return line || (error as Error).message;
  }
}

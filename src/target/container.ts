/**
 * A container as a target (`--target container:IMAGE[:PORT]`) and the reference mock in a
 * container (src/api.ts), started with testcontainers: published on 127.0.0.1 only, ready when it
 * answers HTTP on its port (whatever the status: scratch and distroless images have no shell for
 * testcontainers' default port check), and always removed, also when it fails to start.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import {
  GenericContainer,
  getContainerRuntimeClient,
  ImageName,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import { ConformanceError } from '../shared/errors.ts';
import { packagePath } from '../shared/paths.ts';
import type { ContainerTarget } from '../shared/types.ts';
import { sleep } from './waits.ts';

const execFileAsync = promisify(execFile);

/** Every container this tool starts carries this label, with one value per start. */
export const RUN_LABEL = 'oauth-conformance.run';

export interface StartedContainer {
  /** `http://127.0.0.1:<published port>`. */
  url: string;
  image: string;
  /** The container's id, for `docker logs` and the like. */
  id: string;
  /** Removes the container synchronously: for signal handlers. */
  removeNow(): void;
  /** Stops and removes the container; safe to call twice. */
  stop(): Promise<void>;
}

/** testcontainers publishes on every interface; these containers are reached on loopback only. */
class LoopbackContainer extends GenericContainer {
  publishOnLoopback(): this {
    const bindings = (this.hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>;
    for (const list of Object.values(bindings))
      for (const binding of list) binding.HostIp = '127.0.0.1';
    return this;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (
    message
      .split('\n')
      .find((line) => line.trim())
      ?.trim() ?? message
  );
}

const REMOVER = packagePath('lib', 'remove-containers.cjs');

/**
 * Removes every container of one start, whatever state it is in, in a process of its own
 * (lib/remove-containers.cjs). Synchronous, for signal handlers: another handler (vitest's) may
 * exit the process right after, which must not leave the container behind.
 */
export function removeContainersNow(runId: string): void {
  try {
    execFileSync(process.execPath, [REMOVER, RUN_LABEL, runId], {
      stdio: 'ignore',
      timeout: 30_000,
    });
  } catch {
    // reported by the leftover check of whoever cares; nothing more can be done here
  }
}

async function removeByRun(runId: string): Promise<void> {
  await execFileAsync(process.execPath, [REMOVER, RUN_LABEL, runId], { timeout: 30_000 }).catch(
    () => undefined,
  );
}

/** One clear line for each way a start fails; `present`: the image was on this machine. */
function startError(spec: ContainerTarget, error: unknown, present: boolean): ConformanceError {
  const text = error instanceof Error ? error.message : String(error);
  const what = `container from ${spec.image}`;
  let message: string;
  if (/exited during HTTP healthCheck/i.test(text)) {
    // "Container exited during HTTP healthCheck, last 100 logs: <first line>\n<line>..."
    const logs = (text.split(/ logs: /)[1] ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .slice(-3);
    message = `${what} exited before it answered HTTP on port ${spec.port}${logs.length ? `; its last output: ${logs.join(' | ')}` : ''}`;
  } else if (/not accessible after|timed out|timeout/i.test(text)) {
    message = `${what} did not answer HTTP on port ${spec.port} within ${spec.startupTimeoutMs / 1000} s`;
  } else if (!present) {
    message = `image ${spec.image} is not on this machine and could not be pulled: ${firstLine(error)}`;
  } else if (/pull|registry|manifest/i.test(text)) {
    // The image is here, so the pull was testcontainers' own helper (its resource reaper).
    message = `testcontainers could not pull its helper image testcontainers/ryuk: ${firstLine(error)} (where no registry is reachable, set TESTCONTAINERS_RYUK_DISABLED=true)`;
  } else {
    message = `${what} could not be started: ${firstLine(error)}`;
  }
  return new ConformanceError('TARGET_UNREACHABLE', message, { cause: error, kind: 'container' });
}

/** Whether a container engine answers, and why not. */
export async function containerEngine(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await getContainerRuntimeClient();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: firstLine(error) };
  }
}

/**
 * Starts the image and waits until it answers HTTP on `spec.port`, within `spec.startupTimeoutMs`
 * (pulling included). Throws a `TARGET_UNREACHABLE` ConformanceError with one clear line when it
 * cannot, after removing whatever was created.
 */
export async function startContainer(spec: ContainerTarget): Promise<StartedContainer> {
  const client = await getContainerRuntimeClient().catch((error: unknown) => {
    throw new ConformanceError(
      'TARGET_UNREACHABLE',
      `no container engine answers: ${firstLine(error)}`,
      { kind: 'container' },
    );
  });
  const present = await client.image.exists(ImageName.fromString(spec.image)).catch(() => false);
  const runId = randomUUID();
  let container = new LoopbackContainer(spec.image)
    .withExposedPorts(spec.port)
    .withLabels({ [RUN_LABEL]: runId })
    .withWaitStrategy(
      Wait.forHttp('/', spec.port, { abortOnContainerExit: true }).forStatusCodeMatching(
        () => true,
      ),
    )
    .withStartupTimeout(spec.startupTimeoutMs)
    .publishOnLoopback();
  if (spec.command) container = container.withCommand(spec.command);
  if (spec.env) container = container.withEnvironment(spec.env);

  let timer: NodeJS.Timeout | undefined;
  // Pulling an image has no timeout of its own: the whole start gets one.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${spec.startupTimeoutMs} ms`)),
      spec.startupTimeoutMs + 5_000,
    );
  });
  const starting = container.start();
  let started: StartedTestContainer;
  try {
    started = await Promise.race([starting, deadline]);
  } catch (error) {
    // A start still under way creates its container after the deadline: let it settle (briefly;
    // a pull that hangs creates nothing once this process is gone), then remove what exists.
    const settled = starting.then((late) => late.stop()).catch(() => undefined);
    await Promise.race([settled, sleep(10_000)]);
    await removeByRun(runId);
    throw startError(spec, error, present);
  } finally {
    clearTimeout(timer);
  }
  let stopped = false;
  return {
    url: `http://127.0.0.1:${started.getMappedPort(spec.port)}`,
    image: spec.image,
    id: started.getId(),
    removeNow() {
      stopped = true;
      removeContainersNow(runId);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await started.stop({ timeout: 5_000 }).catch(() => undefined);
      await removeByRun(runId);
    },
  };
}

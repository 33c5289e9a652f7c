/**
 * `oauth-conformance client --programs FILE`: the programs of a matrix run, as JSON
 * `{"programs": [{"name": "careless", "command": ["node", "examples/clients/careless/client.mjs"]}]}`.
 * Read once, at the edge; anything else is a usage error of one line.
 */
import { readFileSync } from 'node:fs';
import { ConformanceError } from '../shared/errors.ts';
import type { ClientProgram } from './run.ts';

/** A programs file is small: a list of names and commands. */
const MAX_FILE_BYTES = 64 * 1024;

const usage = (path: string, why: string) =>
  new ConformanceError('USAGE', `--programs ${path}: ${why}`);

/** Reads and checks the file's shape; names and counts are checked by the harness. */
export function readProgramsFile(path: string): ClientProgram[] {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_FILE_BYTES) throw usage(path, `larger than ${MAX_FILE_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof ConformanceError) throw error;
    throw usage(path, `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw usage(path, 'is not JSON');
  }
  const programs = (data as { programs?: unknown } | null)?.programs;
  if (!Array.isArray(programs))
    throw usage(path, 'expected {"programs": [{"name": "...", "command": ["..."]}, ...]}');
  return programs.map((entry: unknown, i) => {
    const { name, command, ...rest } = (entry ?? {}) as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) throw usage(path, `programs[${i}] has an unknown key "${extra[0]}"`);
    if (typeof name !== 'string') throw usage(path, `programs[${i}].name must be a string`);
    if (!Array.isArray(command) || !command.every((part) => typeof part === 'string'))
      throw usage(path, `programs[${i}].command must be an array of strings`);
    return { name, command: command as string[] };
  });
}

#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
// Exit now: a container engine's client keeps idle sockets open that would hold the process for
// seconds after the run is over (stdout and stderr are written synchronously to files and pipes).
process.exit(code);

// Removes every container carrying a label, whatever its state: `node remove-containers.cjs
// LABEL VALUE`. A process of its own so that it can run synchronously from a signal handler,
// which no other handler's exit can then cut short (src/target/container.ts).
const { getContainerRuntimeClient } = require('testcontainers');

const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

async function main([label, value]) {
  if (!label || !value) throw new Error('usage: remove-containers.cjs LABEL VALUE');
  const client = await getContainerRuntimeClient();
  for (;;) {
    const container = await client.container.fetchByLabel(label, value, { status: STATES });
    if (!container) return;
    await container.remove({ force: true, v: true });
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`remove-containers: ${error.message}\n`);
  process.exit(1);
});

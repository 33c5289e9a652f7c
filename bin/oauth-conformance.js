#!/usr/bin/env node
// The command line, from the build (dist/). In a clone, `npm run build` makes it (npm test and
// npm pack run it first), or run the sources as they are: node scripts/cli-from-source.js.
let cli;
try {
  cli = await import('../dist/src/cli/cli.js');
} catch (error) {
  // A module of dist/ not found: dist/ is missing, or incomplete (a build in another terminal
  // deletes it before it writes it again). This machine's trouble, not the target's: exit 4.
  if (
    error?.code !== 'ERR_MODULE_NOT_FOUND' ||
    !/Cannot find module '[^']*[\\/]dist[\\/]/.test(String(error.message))
  )
    throw error;
  process.stderr.write(
    'oauth-conformance: dist/ is missing or incomplete (being rebuilt?): run `npm run build` in this clone (an installed package has it)\n',
  );
  process.exit(4);
}
const code = await cli.main(process.argv.slice(2));
// Exit now: a container engine's client keeps idle sockets open that would hold the process for
// seconds after the run is over (stdout and stderr are written synchronously to files and pipes).
process.exit(code);

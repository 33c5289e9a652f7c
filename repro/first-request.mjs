// Servers on 127.0.0.1 that fail the suite's first request in one way each; prints the port.
// Usage: node repro/first-request.mjs tls|garbage|http09|slow-headers|half-close|huge-status-line CERT KEY
import { readFileSync } from 'node:fs';
import { createServer as https } from 'node:https';
import { createServer as tcp } from 'node:net';
import { createServer as tls } from 'node:tls';

const [mode, cert, key] = process.argv.slice(2);
let server;
if (mode === 'tls')
  server = https({ cert: readFileSync(cert), key: readFileSync(key) }, (_q, s) => s.end('{}'));
else if (mode === 'tls-garbage')
  server = tls({ cert: readFileSync(cert), key: readFileSync(key) }, (s) =>
    s.end('garbage\r\n\r\n'),
  );
else
  server = tcp((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      if (mode === 'garbage') socket.end('\u001b[2J\u0000\u0007SSH-2.0-OpenSSH_9.2\r\n');
      else if (mode === 'http09') socket.end('{"error":"x"}');
      else if (mode === 'slow-headers')
        socket.write('HTTP/1.1 200 OK\r\n'); // never finishes
      else if (mode === 'half-close') socket.end();
      else if (mode === 'huge-status-line')
        socket.end(`HTTP/1.1 200 ${'\u202e'.repeat(20000)}\r\n\r\n`);
    });
  });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
setTimeout(() => process.exit(0), 120_000).unref?.();

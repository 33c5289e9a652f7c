// A client that fails and whose last stderr line holds terminal escapes (set the window title,
// clear the screen) and a carriage return that hides what came before it.
process.stderr.write(
  'error: real reason\n\u001b]0;pwned\u0007\u001b[2Jlooks fine\rOK everything passed\n',
);
process.exit(1);

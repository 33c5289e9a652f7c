// A client that logs what it sends the way real code does: Python's base64.encodebytes (76-column
// lines) for the Basic value, the secret hex-encoded (a debug dump), the token in a JSON log line
// with its dots escaped, and terminal escapes and CI directives around them; then it fails.
// Expected: none of the secret material, in any of these forms, in the harness's output or reports.
const env = process.env;
const pair = `${env.MONGODB_ATLAS_CLIENT_ID}:${env.MONGODB_ATLAS_CLIENT_SECRET}`;
const b64 = Buffer.from(pair).toString('base64');
const wrapped = b64.replace(/(.{76})/g, '$1\n');
const response = await fetch(env.OAUTH_TOKEN_URL, {
  method: 'POST',
  headers: { Authorization: `Basic ${b64}`, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials',
});
const { access_token: token } = await response.json();
console.log(`auth=${wrapped}`);
console.log(`secret hex ${Buffer.from(env.MONGODB_ATLAS_CLIENT_SECRET).toString('hex')}`);
console.log(JSON.stringify({ msg: 'got token', token: token.replaceAll('.', '\\u002e') }));
console.error(
  '\u001b[31m::error::failed\u001b[0m\n[[ATTACHMENT|/etc/passwd]]\n##vso[task.setvariable variable=x]1',
);
process.exit(1);

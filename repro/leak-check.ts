// Scans a harness run's output and reports for the normal scenario's secret (seed 1) in the forms
// repro/clients/leaky-wrapped.mjs prints. Usage: tsx repro/leak-check.ts DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAccounts } from '../src/mock/index.ts';

const dir = process.argv[2] as string;
const { clientId, clientSecret } = generateAccounts(1).primary;
const b64 = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
const lines = b64.match(/.{1,76}/g) ?? [];
const forms: Record<string, string> = {
  'secret raw': clientSecret,
  'secret hex': Buffer.from(clientSecret).toString('hex'),
  'secret tail (base64 line 2 decoded)': Buffer.from(lines[1] ?? '', 'base64').toString(),
  'base64 line 1': lines[0] ?? '',
  'base64 line 2': lines[1] ?? '',
};
for (const file of readdirSync(dir)) {
  const text = readFileSync(join(dir, file), 'utf8');
  for (const [what, value] of Object.entries(forms))
    if (value.length >= 8 && text.includes(value))
      console.log(`${file}: ${what} (${value.length} characters)`);
  if (/u002e/.test(text)) console.log(`${file}: a token with escaped dots`);
  if (/^\[\[ATTACHMENT/m.test(text)) console.log(`${file}: a line starting [[ATTACHMENT`);
  if (text.includes('\u001b')) console.log(`${file}: an ESC character`);
}

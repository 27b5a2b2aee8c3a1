#!/usr/bin/env node
// Entry point of the `patron-bridge` command: runs the compiled CLI (built by `npm ci` via "prepare").
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('patron-bridge is not built yet: run `npm run build` (npm ci does it for you).');
  process.exit(2);
}
await import(main);

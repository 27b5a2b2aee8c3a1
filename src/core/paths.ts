/** Where the project's bundled files (mappings/, config/) are, whether running from src/ or dist/. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function projectRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'patron-bridge') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the patron-bridge package root');
    dir = up;
  }
}

export const bundledMapping = (name = 'koha-to-civicrm.yaml') => path.join(projectRoot(), 'mappings', name);

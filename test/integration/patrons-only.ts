/** The bundled mapping without its loans section, for tests about patrons alone (faster, and their counts are of patrons). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundledMapping } from '../../src/core/paths.js';

let file: string | undefined;

export function patronsOnlyMapping(): string {
  if (file) return file;
  const text = readFileSync(bundledMapping(), 'utf8');
  const cut = text.indexOf('\n# Koha loans (checkouts');
  if (cut < 0) throw new Error('the bundled mapping has no loans section to cut');
  const dir = path.join(tmpdir(), `pb-mapping-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  file = path.join(dir, 'patrons-only.yaml');
  writeFileSync(file, text.slice(0, cut) + '\n');
  return file;
}

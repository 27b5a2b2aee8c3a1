/**
 * Variants of the bundled mapping for tests: without its loans section (and what follows it), for tests
 * about patrons alone (faster, and their counts are of patrons); or with some of its lines changed.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** The bundled mapping with some of its lines replaced (each must be there), written to a file of its own. */
export function bundledMappingWith(edits: ReadonlyArray<readonly [string, string]>): string {
  let text = readFileSync(bundledMapping(), 'utf8');
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`the bundled mapping has no line "${from}"`);
    text = text.replace(from, to);
  }
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'pb-mapping-')), 'mapping.yaml');
  writeFileSync(out, text);
  return out;
}

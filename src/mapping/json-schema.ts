/**
 * JSON Schema of the mapping file for editors (YAML language server: `# yaml-language-server: $schema=…`),
 * generated from the zod schema so the two cannot drift; test/unit/mapping-json-schema.test.ts checks the
 * committed mappings/mapping.schema.json. Regenerate: `npm run build && node dist/src/mapping/json-schema.js`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { mappingSchema } from './schema.js';

export function mappingJsonSchema(): Record<string, unknown> {
  // `input`: what a person writes (keys with defaults are optional).
  return z.toJSONSchema(mappingSchema, { io: 'input', target: 'draft-2020-12' });
}

export function renderMappingJsonSchema(): string {
  return `${JSON.stringify(mappingJsonSchema(), null, 2)}\n`;
}

// Run as a script: write mappings/mapping.schema.json next to the shipped mapping.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const out = resolve(process.argv[2] ?? 'mappings/mapping.schema.json');
  writeFileSync(out, renderMappingJsonSchema());
  console.log(`wrote ${out}`);
}

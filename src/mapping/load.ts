/** Reads a mapping file (YAML) and compiles it; every error names the file and the line. */
import { readFile } from 'node:fs/promises';
import { BridgeError } from '../core/errors.js';
import { readFailure } from '../core/file-problems.js';
import { parseYamlSource } from '../core/yaml-source.js';
import { compileMapping } from './compile.js';
import type { CompiledMapping } from './types.js';

/** Parses YAML text and compiles it (exported for tests and `mapping validate`). */
export function compileMappingText(text: string, file: string, sourceId: string, opts: MappingOptions = {}): CompiledMapping {
  const { value, lineOf } = parseYamlSource(text, file, 'MAPPING_INVALID');
  return compileMapping(value, { file, sourceId, lineOf, ...(opts.anonymousPatronId !== undefined ? { anonymousPatronId: opts.anonymousPatronId } : {}) });
}

/** What the source's configuration adds to its mapping. */
export interface MappingOptions {
  /** sources[].anonymous_patron_id */
  anonymousPatronId?: number | undefined;
}

export async function loadMapping(file: string, sourceId: string, opts: MappingOptions = {}): Promise<CompiledMapping> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BridgeError('MAPPING_INVALID', `${file}: cannot read the mapping file: ${readFailure(err)}`, {
      context: { system: 'mapping', file },
    });
  }
  return compileMappingText(text, file, sourceId, opts);
}

/** Reads a mapping file (YAML) and compiles it; every error names the file and the line. */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { BridgeError } from '../core/errors.js';
import { compileMapping } from './compile.js';
import type { LineOf, MappingPath } from './issues.js';
import type { CompiledMapping } from './types.js';

/** Maps a path inside the document to the line of the deepest node that exists on it. */
export function yamlLineOf(doc: Document, counter: LineCounter): LineOf {
  return (path: MappingPath) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(seg));
        if (pair === undefined) break;
        offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (node === undefined) break;
        offset = (node as { range?: [number] }).range?.[0] ?? offset; // items start their own line
      } else {
        break;
      }
      // An inline value (scalar or flow collection) points closer to the problem; a block value starts a line below its key.
      const inline = isScalar(node) || ((isMap(node) || isSeq(node)) && node.flow === true);
      if (inline) offset = (node as { range?: [number] }).range?.[0] ?? offset;
    }
    return offset === undefined ? undefined : counter.linePos(offset).line;
  };
}

/** Parses YAML text and compiles it (exported for tests and `mapping validate`). */
export function compileMappingText(text: string, file: string, sourceId: string): CompiledMapping {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const at = counter.linePos(syntax.pos[0]);
    const what = syntax.message.split('\n')[0];
    throw new BridgeError('MAPPING_INVALID', `invalid mapping file ${file}:\n  ${file}:${at.line}:${at.col}: YAML syntax error: ${what}`, {
      context: { system: 'mapping', file, line: at.line },
      cause: syntax,
    });
  }
  return compileMapping(doc.toJS(), { file, sourceId, lineOf: yamlLineOf(doc, counter) });
}

export async function loadMapping(file: string, sourceId: string): Promise<CompiledMapping> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'read error';
    throw new BridgeError('MAPPING_INVALID', `cannot read mapping file ${file} (${code})`, {
      context: { system: 'mapping', file },
      cause: err,
    });
  }
  return compileMappingText(text, file, sourceId);
}

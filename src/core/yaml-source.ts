/** A YAML file people edit, parsed: its value and the line of any path in it; a syntax error names file, line and column. */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { BridgeError } from './errors.js';
import type { FilePath, LineOf } from './file-problems.js';

export interface YamlSource {
  value: unknown;
  lineOf: LineOf;
}

/** Maps a path inside the document to the line of the deepest node that exists on it. */
function yamlLineOf(doc: Document, counter: LineCounter): LineOf {
  return (path: FilePath) => {
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

/** Duplicate keys are syntax errors: the second would silently win. */
export function parseYamlSource(text: string, file: string, code: 'CONFIG_INVALID' | 'MAPPING_INVALID'): YamlSource {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const at = counter.linePos(syntax.pos[0]);
    const what = syntax.message.split('\n')[0];
    throw new BridgeError(code, `${file}:${at.line}:${at.col}: YAML syntax error: ${what}`, {
      context: { system: code === 'CONFIG_INVALID' ? 'config' : 'mapping', file, line: at.line },
    });
  }
  return { value: doc.toJS(), lineOf: yamlLineOf(doc, counter) };
}

/** Problems found in a mapping file, and the one error that reports them (file, path, line). */
import { BridgeError } from '../core/errors.js';

export type MappingPath = readonly (string | number)[];

export interface MappingIssue {
  path: MappingPath;
  message: string;
}

/** 1-based line of a path inside the file, when the file's text is known. */
export type LineOf = (path: MappingPath) => number | undefined;

/** `fields."Library_Patron.Card_Number".transform[1]` */
export function formatPath(path: MappingPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `${out === '' ? '' : '.'}${JSON.stringify(seg)}`;
  }
  return out === '' ? '(top level)' : out;
}

const MAX_LISTED = 20;

export function mappingError(file: string, issues: readonly MappingIssue[], lineOf?: LineOf): BridgeError {
  const lines = issues.slice(0, MAX_LISTED).map((issue) => {
    const line = lineOf?.(issue.path);
    return `  ${file}${line === undefined ? '' : `:${line}`}: ${formatPath(issue.path)}: ${issue.message}`;
  });
  if (issues.length > MAX_LISTED) lines.push(`  … and ${issues.length - MAX_LISTED} more`);
  const first = issues[0];
  const firstLine = first === undefined ? undefined : lineOf?.(first.path);
  return new BridgeError('MAPPING_INVALID', `invalid mapping file ${file}:\n${lines.join('\n')}`, {
    context: {
      system: 'mapping',
      file,
      ...(first === undefined ? {} : { path: formatPath(first.path) }),
      ...(firstLine === undefined ? {} : { line: firstLine }),
    },
  });
}

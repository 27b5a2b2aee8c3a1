/**
 * Problems in a file people edit (the configuration, a mapping) and the one error that reports
 * them: a line per problem, `file:LINE: path: what was expected`, the first one on the first line.
 */
import { BridgeError } from './errors.js';

export type FilePath = readonly (string | number)[];

export interface FileProblem {
  path: FilePath;
  message: string;
}

/** 1-based line of a path inside the file, when the file's text is known. */
export type LineOf = (path: FilePath) => number | undefined;

/** `fields."Library_Patron.Card_Number".transform[1]`, `sources[0].page_size` */
export function formatPath(path: FilePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `${out === '' ? '' : '.'}${JSON.stringify(seg)}`;
  }
  return out === '' ? '(top level)' : out;
}

const READ_FAILURES: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory', ENOTDIR: 'a folder on its path is a file' };

/** Why a file could not be read, in words, with the system's code: `no such file (ENOENT)`. */
export function readFailure(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'read error';
  return READ_FAILURES[code] === undefined ? code : `${READ_FAILURES[code]} (${code})`;
}

const MAX_LISTED = 20;

export function fileError(code: 'CONFIG_INVALID' | 'MAPPING_INVALID', file: string, problems: readonly FileProblem[], lineOf?: LineOf): BridgeError {
  const lines = problems.slice(0, MAX_LISTED).map((p) => {
    const line = lineOf?.(p.path);
    return `${file}${line === undefined ? '' : `:${line}`}: ${formatPath(p.path)}: ${p.message}`;
  });
  if (problems.length > MAX_LISTED) lines.push(`… and ${problems.length - MAX_LISTED} more`);
  const first = problems[0];
  const firstLine = first === undefined ? undefined : lineOf?.(first.path);
  return new BridgeError(code, lines.join('\n  '), {
    context: {
      system: code === 'CONFIG_INVALID' ? 'config' : 'mapping',
      file,
      ...(first === undefined ? {} : { path: formatPath(first.path) }),
      ...(firstLine === undefined ? {} : { line: firstLine }),
    },
  });
}

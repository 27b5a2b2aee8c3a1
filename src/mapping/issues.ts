/** Problems found in a mapping file, and the one error that reports them (file, line, path). */
import type { BridgeError } from '../core/errors.js';
import { fileError, type FilePath, type FileProblem, type LineOf } from '../core/file-problems.js';

export { formatPath, type LineOf } from '../core/file-problems.js';
export type MappingPath = FilePath;
export type MappingIssue = FileProblem;

export function mappingError(file: string, issues: readonly MappingIssue[], lineOf?: LineOf): BridgeError {
  return fileError('MAPPING_INVALID', file, issues, lineOf);
}

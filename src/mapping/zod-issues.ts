/** zod issues → mapping issues with readable messages (unknown keys, union branches, missing keys). */
import type { z } from 'zod';
import type { MappingIssue } from './issues.js';
import { KNOWN_KEYS } from './schema.js';
import { didYouMean } from './suggest.js';

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return node;
}

/** A branch failed on the input's kind itself, so its messages say nothing useful. */
function isKindMismatch(issues: readonly Issue[], input: unknown): boolean {
  return issues.every(
    (i) =>
      i.path.length === 0 &&
      (i.code === 'invalid_type' ||
        (i.code === 'invalid_value' && typeof input === 'object') ||
        (i.code === 'invalid_union' && i.errors.every((branch) => isKindMismatch(branch, input)))),
  );
}

function convert(issue: Issue, base: Path, root: unknown, out: MappingIssue[]): void {
  const path: Path = [...base, ...(issue.path as Path)];
  const input = valueAt(root, path);
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) out.push({ path: [...path, key], message: `unknown key "${key}"${didYouMean(key, KNOWN_KEYS)}` });
    return;
  }
  if (issue.code === 'invalid_union') {
    const matching = issue.errors.filter((branch) => !isKindMismatch(branch, input));
    if (matching.length === 1) {
      for (const inner of matching[0] ?? []) convert(inner, path, root, out);
      return;
    }
  }
  if (issue.code === 'invalid_type' && input === undefined) {
    out.push({ path, message: `required key is missing (${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})` });
    return;
  }
  out.push({ path, message: issue.message.replace(/^Invalid input: /, '') });
}

export function fromZodIssues(issues: readonly Issue[], root: unknown): MappingIssue[] {
  const out: MappingIssue[] = [];
  for (const issue of issues) convert(issue, [], root, out);
  return out;
}

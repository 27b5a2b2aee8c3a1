/** zod issues → file problems with readable messages (unknown keys, union branches, missing keys). */
import type { z } from 'zod';
import type { FileProblem } from './file-problems.js';
import { didYouMean } from './suggest.js';

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];
type Def = { type: string; [key: string]: unknown };

const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return node;
}

/** The object schemas that can stand at `path` (a union gives the branch its discriminator names, else every branch). */
function objectsAt(schema: unknown, path: readonly PropertyKey[], value: unknown): Def[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional': case 'default': case 'nullable': case 'prefault': case 'readonly': case 'catch':
      return objectsAt(def.innerType, path, value);
    case 'pipe':
      return objectsAt(def.in, path, value);
    case 'union': {
      const options = def.options as unknown[];
      const key = def.discriminator as string | undefined;
      const tag = key === undefined ? undefined : valueAt(value, [key]);
      const chosen = options.filter((o) => {
        const lit = defOf(o).type === 'object' ? (defOf(o).shape as Record<string, unknown>)[key ?? ''] : undefined;
        return lit !== undefined && (defOf(lit).values as unknown[] | undefined)?.includes(tag);
      });
      return (chosen.length > 0 ? chosen : options).flatMap((o) => objectsAt(o, path, value));
    }
  }
  if (path.length === 0) return def.type === 'object' ? [def] : [];
  const [seg, ...rest] = path;
  const next = valueAt(value, [seg!]);
  if (def.type === 'object') {
    const sub = (def.shape as Record<string, unknown>)[String(seg)];
    return sub === undefined ? [] : objectsAt(sub, rest, next);
  }
  if (def.type === 'array') return objectsAt(def.element, rest, next);
  if (def.type === 'record') return objectsAt(def.valueType, rest, next);
  return [];
}

/** The keys an object at `path` may have, for "did you mean" and "expected one of". */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[], root: unknown): string[] {
  return [...new Set(objectsAt(schema, path, valueAt(root, path)).flatMap((d) => Object.keys(d.shape as object)))];
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

function convert(schema: z.ZodType, issue: Issue, base: Path, root: unknown, out: FileProblem[]): void {
  const path: Path = [...base, ...(issue.path as Path)];
  const input = valueAt(root, path);
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, path, root);
    for (const key of issue.keys) {
      const hint = didYouMean(key, known) || (known.length > 0 ? `; expected one of ${known.join(', ')}` : '');
      out.push({ path: [...path, key], message: `unknown key "${key}"${hint}` });
    }
    return;
  }
  if (issue.code === 'invalid_union') {
    const matching = issue.errors.filter((branch) => !isKindMismatch(branch, input));
    if (matching.length === 1) {
      for (const inner of matching[0] ?? []) convert(schema, inner, path, root, out);
      return;
    }
  }
  // zod's own wording ("expected object, received array") is rephrased in YAML terms; a schema's own message is kept.
  if (issue.code === 'invalid_type' && /^Invalid input: expected /.test(issue.message)) {
    const expected = KINDS[issue.expected] ?? issue.expected;
    if (input === undefined) {
      out.push({ path, message: `required key is missing (expected ${expected})` });
    } else {
      const keys = issue.expected === 'object' ? keysAt(schema, path, root) : [];
      out.push({ path, message: `expected ${expected}${keys.length > 0 ? ` (key: value lines) with keys such as ${keys.join(', ')}` : ''}, got ${kindOf(input)}` });
    }
    return;
  }
  out.push({ path, message: issue.message.replace(/^Invalid input: /, '') });
}

const KINDS: Record<string, string> = { object: 'a map', array: 'a list', string: 'text', number: 'a number', boolean: 'true or false' };

function kindOf(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return String(value);
  return KINDS[typeof value] ?? typeof value;
}

/** `schema` is the one that produced the issues: it names the keys expected where an unknown one was found. */
export function fromZodIssues(schema: z.ZodType, issues: readonly Issue[], root: unknown): FileProblem[] {
  const out: FileProblem[] = [];
  for (const issue of issues) convert(schema, issue, [], root, out);
  return out;
}

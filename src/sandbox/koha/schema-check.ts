/**
 * A small checker for the JSON-Schema subset Koha's definitions use (type lists with "null",
 * properties, required, additionalProperties, items, enum, lengths, $ref, date formats), so tests
 * can assert the sandbox's responses validate as Koha's own response validation would demand.
 */

export interface SchemaProblem {
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/**
 * Checks `value` against `schema`; `resolve` turns a `$ref` string into its schema.
 * Date formats are checked for shape only: old Koha databases hold dates like 0000-00-00.
 */
export function checkSchema(
  schema: Schema,
  value: unknown,
  resolve: (ref: string) => Schema = () => ({}),
  path = '',
): SchemaProblem[] {
  if (typeof schema.$ref === 'string') return checkSchema(resolve(schema.$ref), value, resolve, path);
  const problems: SchemaProblem[] = [];
  const at = path || '/';
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const actual = typeOf(value);
    const ok = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
    if (!ok) return [{ path: at, message: `expected ${allowed.join('|')}, got ${actual}` }];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    problems.push({ path: at, message: 'not in enum list' });
  }
  if (typeof value === 'string') {
    if (schema.format === 'date' && !DATE_RE.test(value)) problems.push({ path: at, message: 'not a date' });
    if (schema.format === 'date-time' && !DATE_TIME_RE.test(value)) {
      problems.push({ path: at, message: 'not an RFC 3339 date-time' });
    }
    const len = [...value].length;
    if (typeof schema.maxLength === 'number' && len > schema.maxLength) problems.push({ path: at, message: 'too long' });
    if (typeof schema.minLength === 'number' && len < schema.minLength) problems.push({ path: at, message: 'too short' });
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => problems.push(...checkSchema(schema.items as Schema, v, resolve, `${path}/${i}`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const req of (schema.required ?? []) as string[]) {
      if (!(req in obj)) problems.push({ path: `${path}/${req}`, message: 'missing required property' });
    }
    for (const [k, v] of Object.entries(obj)) {
      const sub = props[k];
      if (sub) problems.push(...checkSchema(sub, v, resolve, `${path}/${k}`));
      else if (schema.additionalProperties === false) {
        problems.push({ path: `${path}/${k}`, message: 'property not allowed' });
      }
    }
  }
  return problems;
}

/**
 * `definitions/<name>.yaml` of Koha's swagger folder, taken from `definitions` (parsed definition files
 * keyed by file name, e.g. the generated test/contracts/koha/definitions.ts), with a resolver for the
 * relative `$ref`s between definition files.
 */
export function loadDefinition(definitions: Readonly<Record<string, Schema>>, name: string): {
  schema: Schema;
  resolve: (ref: string) => Schema;
} {
  const read = (file: string): Schema => {
    const schema = definitions[file];
    if (!schema) throw new Error(`Koha definition ${file} is not among the bundled definitions`);
    return schema;
  };
  return { schema: read(`${name}.yaml`), resolve: (ref) => read(ref.replace(/^\.\//, '').split('#')[0]!) };
}

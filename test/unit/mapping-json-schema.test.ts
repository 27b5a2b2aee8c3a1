import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mappingJsonSchema, renderMappingJsonSchema } from '../../src/mapping/index.js';

const COMMITTED = new URL('../../mappings/mapping.schema.json', import.meta.url);
const README = new URL('../../README.md', import.meta.url);

/** Every property name anywhere in a JSON Schema. */
function propertyNames(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => propertyNames(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties') Object.keys(v as object).forEach((name) => out.add(name));
      propertyNames(v, out);
    }
  }
  return out;
}

describe('mappings/mapping.schema.json', () => {
  it('equals the schema generated from the zod mapping schema (regenerate: npm run build && node dist/src/mapping/json-schema.js)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(renderMappingJsonSchema());
  });

  it('tells editors about unknown keys, transforms and Koha field names', () => {
    const schema = mappingJsonSchema() as {
      additionalProperties: unknown; required: string[];
      $defs: { Field: { additionalProperties: unknown; properties: { transform: { items: { enum: string[] } } } }; KohaPatronField: { enum: string[] } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['version', 'source', 'external_id', 'fields']); // defaults make the rest optional
    expect(schema.$defs.Field.additionalProperties).toBe(false);
    expect(schema.$defs.Field.properties.transform.items.enum).toEqual(['trim', 'lower', 'upper', 'collapse_spaces']);
    expect(schema.$defs.KohaPatronField.enum).toContain('date_of_birth');
  });

  it('and the README\'s mapping reference agree on every key', () => {
    const text = readFileSync(README, 'utf8');
    const section = text.slice(text.indexOf('## Mapping reference'), text.indexOf('## How it works'));
    const quoted = [...section.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const mentioned = (key: string) => quoted.some((q) => new RegExp(`(^|[^a-z_])${key}([^a-z_]|$)`).test(q));
    const keys = [...propertyNames(mappingJsonSchema())].sort();
    expect(keys).toEqual(expect.arrayContaining(['on_invalid', 'on_too_long', 'max_length', 'extends', 'label']));
    expect(keys.filter((k) => !mentioned(k))).toEqual([]);
    // The field options table lists only keys the schema has.
    const fieldKeys = Object.keys((mappingJsonSchema() as { $defs: { Field: { properties: object } } }).$defs.Field.properties);
    const listed = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
    expect(listed).toEqual(expect.arrayContaining(['on_invalid', 'on_too_long', 'max_length', 'required', 'clear_when_empty', 'transform', 'type']));
    expect(listed.filter((k) => !fieldKeys.includes(k) && !keys.includes(k))).toEqual([]);
  });
});

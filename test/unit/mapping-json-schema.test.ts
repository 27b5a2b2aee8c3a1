import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mappingJsonSchema, renderMappingJsonSchema } from '../../src/mapping/index.js';

const COMMITTED = new URL('../../mappings/mapping.schema.json', import.meta.url);

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
});

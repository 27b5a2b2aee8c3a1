/** Mapping: YAML file → CompiledMapping (a pure transform from source records to desired contacts). */
export type { CompiledMapping, CustomFieldDecl, CustomGroupDecl, TransformResult } from './types.js';
export { compileMapping, type CompileContext } from './compile.js';
export { compileMappingText, loadMapping } from './load.js';
export { mappingJsonSchema, renderMappingJsonSchema } from './json-schema.js';
export { formatPath, type MappingIssue } from './issues.js';
export { mappingSchema, type MappingDocument } from './schema.js';
export { KOHA_PATRON_FIELDS, isKohaPatronField } from './patron-fields.js';
export { parseCalendarDate } from './dates.js';
export { toCountryCode } from './countries.js';
export { sanitiseGroupName } from './groups.js';

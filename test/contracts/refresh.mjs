#!/usr/bin/env node
/**
 * Rebuilds every generated contract file from the upstream contract folder that sits beside the
 * checkout (../shared/contracts: Koha's OpenAPI spec, CiviCRM's entity schemas, the recording of a
 * real CiviCRM 6.17.2). Tests and the sandbox only read the generated files, which are committed,
 * so a clone without that folder builds and tests on its own.
 *
 *   npm run contracts:refresh                 write the files
 *   npm run contracts:refresh -- --check      only report the files that would change (exit 1 if any)
 *   npm run contracts:refresh -- --from DIR   read the contracts from DIR instead
 *
 * This is the only file of the repository that knows where the upstream folder is.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMMAND = 'npm run contracts:refresh';

const args = process.argv.slice(2);
const check = args.includes('--check');
const fromAt = args.indexOf('--from');
const CONTRACTS = fromAt >= 0 && args[fromAt + 1] ? resolve(args[fromAt + 1]) : resolve(ROOT, '../shared/contracts');
const KOHA = join(CONTRACTS, 'koha/api/v1/swagger');
const CIVI = join(CONTRACTS, 'civicrm');

if (!existsSync(join(KOHA, 'swagger.yaml')) || !existsSync(join(CIVI, 'schema'))) {
  console.error(
    `contracts:refresh: no contracts folder at ${CONTRACTS}.\n` +
      'It regenerates the committed contract data (test/contracts/**, src/sandbox/civicrm/schema-*.ts) from the\n' +
      "upstream contracts (Koha's OpenAPI spec, CiviCRM's entity schemas and recording), which must sit beside\n" +
      'the checkout as ../shared/contracts (or pass --from DIR). The committed files are complete: tests do not need it.',
  );
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Rendering: TypeScript data literals in the style of src/sandbox/civicrm/schema-*.ts.

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k) => (IDENT.test(k) ? k : JSON.stringify(k));

/** `{ a: 1, b: ["x", "y"] }` on one line. */
function inline(v) {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, x]) => `${key(k)}: ${inline(x)}`).join(', ')} }`;
  }
  return JSON.stringify(v);
}

/** One line when it fits in `width`, else one entry per line (recursively). */
function literal(v, indent, width = 120) {
  const one = inline(v);
  if (indent.length + one.length <= width || v === null || typeof v !== 'object') return one;
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => `${inner}${literal(x, inner, width)},\n`).join('')}${indent}]`;
  return `{\n${Object.entries(v).map(([k, x]) => `${inner}${key(k)}: ${literal(x, inner, width)},\n`).join('')}${indent}}`;
}

/** `items` joined with ", " into lines of at most `width` characters, each starting with `indent`. */
function wrap(items, indent = '', width = 100) {
  const lines = [];
  let line = '';
  for (const [i, item] of items.entries()) {
    const piece = item + (i < items.length - 1 ? ',' : '');
    if (line && indent.length + line.length + 1 + piece.length > width) {
      lines.push(indent + line);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** A header comment: what the file was generated from and how to regenerate it. */
function header(lines) {
  return ['/**', ...lines.map((l) => ` * ${l}`.trimEnd()), ` * Regenerate with \`${COMMAND}\` (test/contracts/refresh.mjs); do not edit by hand.`, ' */', ''].join('\n');
}

const outputs = new Map();
const emit = (file, text) => outputs.set(file, text);

// ---------------------------------------------------------------------------------------------
// CiviCRM entity schemas → src/sandbox/civicrm/schema-{contact,location,setup}.ts (sandbox field metadata).

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const civiSchema = (entity) => readJson(join(CIVI, 'schema', `${entity}.json`));

/** The upstream `*.entityType.php` a schema JSON names in its `source`. */
function phpFileOf(doc) {
  const m = /schema\/(\S+\.entityType\.php)/.exec(doc.source ?? '');
  if (!m) throw new Error(`${doc.entity}: source does not name an entityType file`);
  return m[1];
}

/** `contact_type` of each field (Contact fields that only exist for one contact type), read from the raw PHP. */
function contactTypes(doc) {
  const text = readFileSync(join(CIVI, 'raw/schema', phpFileOf(doc)), 'utf8');
  const body = text.slice(text.indexOf("'getFields' => fn() => ["));
  const types = new Map();
  let field;
  for (const line of body.split('\n')) {
    const start = /^ {4}'(\w+)' => \[$/.exec(line);
    if (start) field = start[1];
    const ct = /^ {6}'contact_type' => '(\w+)',$/.exec(line);
    if (ct && field) types.set(field, ct[1]);
  }
  return types;
}

function optionSource(o) {
  if (!o) return undefined;
  if (o.option_group) return { og: o.option_group };
  if (o.table) return { table: o.table, key: o.key_column, name: o.name_column, label: o.label_column };
  if (o.callback) return { cb: o.callback };
  throw new Error(`unknown option source ${JSON.stringify(o)}`);
}

function fieldSchema(f, ctypes) {
  const out = { n: f.name, t: f.data_type };
  if (f.maxlength !== null) out.max = f.maxlength;
  if (f.required) out.req = true;
  if (f.required_on_create) out.roc = true;
  // SQL-side defaults (CURRENT_TIMESTAMP ...) are the database's business, not a value the API fills in.
  if (f.default !== null && !/^CURRENT_TIMESTAMP\b/.test(String(f.default))) out.def = f.default;
  if (f.readonly || f.primary_key) out.ro = true;
  // APIv4 reports the legacy "Select Date" widget as "Date" (Civi/Api4/Service/Spec/SpecFormatter.php).
  if (f.input_type !== null) out.input = f.input_type === 'Select Date' ? 'Date' : f.input_type;
  const opt = optionSource(f.options);
  if (opt) out.opt = opt;
  if (f.fk?.entity) out.fk = f.fk.entity;
  if (f.serialize !== null) out.ser = f.serialize;
  if (ctypes.has(f.name)) out.ctype = ctypes.get(f.name);
  out.title = f.title;
  return out;
}

function entitySchema(entity) {
  const doc = civiSchema(entity);
  const ctypes = contactTypes(doc);
  const unique = doc.indices.filter((i) => i.unique).map((i) => i.fields);
  const name = `${entity[0].toLowerCase()}${entity.slice(1)}Schema`;
  return [
    `export const ${name}: EntitySchema = {`,
    `  entity: ${inline(doc.entity)}, table: ${inline(doc.table)}, unique: ${inline(unique)},`,
    '  fields: [',
    ...doc.fields.map((f) => `    ${inline(fieldSchema(f, ctypes))},`),
    '  ],',
    '};',
    '',
  ].join('\n');
}

function schemaModule(file, entities) {
  const docs = entities.map(civiSchema);
  const commit = /\bat ([0-9a-f]{40})\b/.exec(docs[0].source)?.[1];
  const text =
    header([
      `Generated from CiviCRM's entity schemas (civicrm-core 6.14${commit ? `, commit ${commit.slice(0, 12)}` : ''}):`,
      ...wrap(docs.map((d) => `CiviCRM schema/${phpFileOf(d)}`), '  '),
      'as the contracts folder holds them: civicrm/schema/<Entity>.json for the field metadata, the raw',
      'civicrm/raw/schema/**.entityType.php for the contact type of Contact fields (`ctype`).',
      'Field metadata of the sandbox CiviCRM; data only.',
    ]) +
    "import type { EntitySchema } from './schema-types.js';\n\n" +
    entities.map(entitySchema).join('\n');
  emit(`src/sandbox/civicrm/${file}`, text);
}

schemaModule('schema-contact.ts', ['Contact']);
schemaModule('schema-location.ts', ['Email', 'Phone', 'Address', 'Group', 'GroupContact', 'Tag', 'EntityTag']);
schemaModule('schema-setup.ts', ['CustomGroup', 'CustomField', 'OptionValue', 'OptionGroup', 'Activity', 'ActivityContact']);

// ---------------------------------------------------------------------------------------------
// CiviCRM: the verbatim recording, and getFields rows for the entities the recording lacks.

for (const f of ['transcript.json', 'timings.json']) emit(`test/contracts/civicrm/${f}`, readFileSync(join(CIVI, 'recorded', f), 'utf8'));

{
  const entities = ['Email', 'Phone', 'Address'];
  const body = entities.map((e) => {
    const rows = civiSchema(e).fields.map((f) => ({
      name: f.name, data_type: f.data_type, input_type: f.input_type, readonly: f.readonly, options: f.options !== null,
    }));
    return `  ${e}: [\n${rows.map((r) => `    ${inline(r)},\n`).join('')}  ],\n`;
  });
  emit(
    'test/contracts/civicrm/location-fields.ts',
    header([
      "Generated from CiviCRM's entity schemas (civicrm-core 6.14), as the contracts folder holds them:",
      ...wrap(entities.map((e) => `civicrm/schema/${e}.json`), '  '),
      'Per field: name, data_type, input_type, readonly, and whether it has an option source; the columns',
      'a CiviCRM 6.17.2 getFields answer carries (the recording only holds Contact.getFields).',
    ]) +
      '\nexport interface LocationField {\n  name: string;\n  data_type: string;\n  input_type: string | null;\n  readonly: boolean;\n  options: boolean;\n}\n\n' +
      `export const LOCATION_FIELDS: Readonly<Record<${entities.map((e) => `'${e}'`).join(' | ')}, readonly LocationField[]>> = {\n${body.join('')}};\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// Koha OpenAPI (Swagger 2.0) → test/contracts/koha/{definitions,routes}.ts.

/** Koha's item.yaml repeats a key: parse as Koha's YAML loader does, the last one wins. */
const readYaml = (file) => parse(readFileSync(join(KOHA, file), 'utf8'), { uniqueKeys: false });

/** A definition without its annotations (`description`, `example`): the validation keywords only. */
function strip(schema) {
  if (Array.isArray(schema)) return schema.map(strip);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'description' || k === 'example') continue;
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strip(s)]));
    else out[k] = strip(v);
  }
  return out;
}

function refsOf(schema, found = []) {
  if (Array.isArray(schema)) schema.forEach((s) => refsOf(s, found));
  else if (schema !== null && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') found.push(v.replace(/^\.\//, '').split('#')[0]);
      else refsOf(v, found);
    }
  }
  return found;
}

{
  const roots = ['patron.yaml', 'checkout.yaml'];
  const defs = new Map();
  const queue = [...roots];
  while (queue.length) {
    const file = queue.shift();
    if (defs.has(file)) continue;
    const schema = readYaml(`definitions/${file}`);
    defs.set(file, strip(schema));
    queue.push(...refsOf(schema));
  }
  const files = [...defs.keys()];
  emit(
    'test/contracts/koha/definitions.ts',
    header([
      "Generated from Koha's OpenAPI spec (Swagger 2.0):",
      ...wrap(files.map((f) => `Koha api/v1/swagger/definitions/${f}`), '  '),
      `(${roots.join(' and ')} and every definition they $ref), keyed by file name as the relative $refs`,
      'name them. Annotations (description, example) are left out; validation keywords are verbatim.',
    ]) +
      '\nexport type KohaSchema = Record<string, unknown>;\n\n' +
      `export const KOHA_DEFINITIONS: Readonly<Record<string, KohaSchema>> = ${literal(Object.fromEntries(defs), '')};\n`,
  );
}

{
  const sw = readYaml('swagger.yaml');
  const pointer = (doc, ptr) =>
    ptr.split('/').slice(1).reduce((o, seg) => o?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  const routes = {};
  const pathFiles = new Set();
  for (const [route, item] of Object.entries(sw.paths)) {
    const [file, ptr] = item.$ref.replace(/^\.\//, '').split('#');
    pathFiles.add(file);
    const op = pointer(readYaml(file), ptr)?.get;
    if (!op) continue;
    const parameters = (op.parameters ?? []).map((p) => {
      const param = p.$ref ? pointer(sw, p.$ref.split('#')[1]) : p;
      if (!param) throw new Error(`${route}: unresolved parameter ${p.$ref}`);
      const out = { name: param.name, in: param.in };
      if (param.type !== undefined) out.type = param.type;
      if (param.items) {
        out.items = {};
        if (param.items.type !== undefined) out.items.type = param.items.type;
        if (param.items.enum !== undefined) out.items.enum = param.items.enum;
      }
      return out;
    });
    routes[`GET ${route}`] = { file, parameters };
  }
  const body = Object.entries(routes)
    .map(([r, { file, parameters }]) =>
      `  ${JSON.stringify(r)}: {\n    file: ${JSON.stringify(file)},\n    parameters: [\n${parameters.map((p) => `      ${literal(p, '      ')},\n`).join('')}    ],\n  },\n`)
    .join('');
  emit(
    'test/contracts/koha/routes.ts',
    header([
      "Generated from Koha's OpenAPI spec (Swagger 2.0): Koha api/v1/swagger/swagger.yaml (paths, parameters) and",
      ...wrap([...pathFiles].map((f) => `Koha api/v1/swagger/${f}`), '  '),
      "Every GET operation with its parameters, $refs into swagger.yaml's parameters resolved; per parameter",
      'its name, where it goes (in), its type and, for arrays, the item type and enum (x-koha-embed lists the embeds).',
    ]) +
      '\nexport interface SpecParameter {\n  name: string;\n  in: string;\n  type?: string;\n  items?: { type?: string; enum?: string[] };\n}\n\n' +
      'export interface SpecRoute {\n  /** The paths file that declares the operation. */\n  file: string;\n  parameters: readonly SpecParameter[];\n}\n\n' +
      `export const KOHA_GET_ROUTES: Readonly<Record<string, SpecRoute>> = {\n${body}};\n`,
  );
}

// ---------------------------------------------------------------------------------------------

let changed = 0;
for (const [file, text] of outputs) {
  const target = join(ROOT, file);
  const same = existsSync(target) && readFileSync(target, 'utf8') === text;
  if (same) continue;
  changed++;
  if (check) console.log(`out of date: ${file}`);
  else {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    console.log(`wrote ${file}`);
  }
}
console.log(`contracts:refresh: ${outputs.size} files from ${relative(ROOT, CONTRACTS) || CONTRACTS}, ${changed} ${check ? 'out of date' : 'changed'}`);
if (check && changed > 0) process.exit(1);

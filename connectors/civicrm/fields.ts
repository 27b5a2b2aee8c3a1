/**
 * Writable Contact fields as FieldSpecs, from APIv4 getFields (action "create"): core and custom
 * (`Group.Field`) Contact fields, plus Email/Phone/Address fields under `email_primary.*` etc.
 * Option fields also get a `field:name` spec listing the allowed machine names.
 */
import type { FieldSpec } from './sink.js';
import type { CiviClient } from './client.js';
import { CUSTOM_STRING_DEFAULT_MAXLENGTH, SCHEMA_MAXLENGTH, type LimitEntity } from './limits.js';

/** One row of a getFields answer (only the keys this module selects). */
export interface RawField {
  name: string;
  data_type?: string | null;
  input_type?: string | null;
  type?: string | null;
  readonly?: boolean | null;
  options?: unknown;
  input_attrs?: unknown;
}

interface Source {
  entity: LimitEntity;
  prefix: string;
}

const SOURCES: readonly Source[] = [
  { entity: 'Contact', prefix: '' },
  { entity: 'Email', prefix: 'email_primary.' },
  { entity: 'Phone', prefix: 'phone_primary.' },
  { entity: 'Address', prefix: 'address_primary.' },
];

/** Keys the API manages itself when saving a primary location row. */
const SKIP = new Set(['id', 'contact_id', 'is_primary', 'is_billing', 'master_id']);
/** Readonly in the schema but accepted (and needed) on save. */
const ALWAYS_WRITABLE = new Set(['contact_type']);
/** Option lists too large to load at startup (thousands of states/counties). */
const NO_OPTION_LOAD = new Set(['state_province_id', 'county_id']);

const SELECT = ['name', 'data_type', 'input_type', 'type', 'readonly', 'options', 'input_attrs'];

function isWritable(f: RawField): boolean {
  if (f.type === 'Extra' || SKIP.has(f.name)) return false;
  return f.readonly !== true || ALWAYS_WRITABLE.has(f.name);
}

function maxLengthOf(entity: LimitEntity, f: RawField): number | undefined {
  const attrs = f.input_attrs;
  if (attrs && typeof attrs === 'object' && !Array.isArray(attrs)) {
    const n = (attrs as { maxlength?: unknown }).maxlength;
    if (typeof n === 'number' && n > 0) return n;
  }
  const fromSchema = SCHEMA_MAXLENGTH[entity][f.name];
  if (fromSchema !== undefined) return fromSchema;
  if (f.type === 'Custom' && f.data_type === 'String') return CUSTOM_STRING_DEFAULT_MAXLENGTH;
  return undefined;
}

function optionNames(options: unknown): string[] | undefined {
  if (!Array.isArray(options)) return undefined;
  const names = options
    .map((o) => (o && typeof o === 'object' ? (o as { name?: unknown }).name : undefined))
    .filter((n): n is string | number => typeof n === 'string' || typeof n === 'number')
    .map(String);
  return names.length ? names : undefined;
}

/**
 * Pure: turn getFields answers (per entity) and loaded options (per entity, by field name) into specs.
 */
export function buildFieldSpecs(
  fields: ReadonlyMap<LimitEntity, readonly RawField[]>,
  options: ReadonlyMap<LimitEntity, ReadonlyMap<string, unknown>> = new Map(),
): Map<string, FieldSpec> {
  const specs = new Map<string, FieldSpec>();
  for (const { entity, prefix } of SOURCES) {
    for (const f of fields.get(entity) ?? []) {
      if (!isWritable(f)) continue;
      const name = `${prefix}${f.name}`;
      const isEmail = entity === 'Email' && (f.name === 'email' || f.input_type === 'Email');
      const spec: FieldSpec = { name, dataType: isEmail ? 'Email' : (f.data_type ?? 'String') };
      const max = maxLengthOf(entity, f);
      if (max !== undefined && spec.dataType !== 'Integer') spec.maxLength = max;
      const names = optionNames(options.get(entity)?.get(f.name) ?? f.options);
      // contact_type stores the name itself (key_column = name), so the plain field takes names too.
      if (names && f.name === 'contact_type') spec.options = names;
      specs.set(name, spec);
      if (f.options !== false && f.options !== undefined && f.options !== null) {
        const suffixed: FieldSpec = { name: `${name}:name`, dataType: 'String' };
        if (names) suffixed.options = names;
        specs.set(suffixed.name, suffixed);
      }
    }
  }
  // Always sent by the sink; keep it writable even if a site's getFields leaves it out.
  if (fields.has('Contact') && !specs.has('contact_type')) specs.set('contact_type', { name: 'contact_type', dataType: 'String', maxLength: 64 });
  return specs;
}

/** Fetch the specs: one getFields per entity, then one with loadOptions for its option fields. */
export async function fetchContactFields(client: CiviClient): Promise<Map<string, FieldSpec>> {
  const fields = new Map<LimitEntity, RawField[]>();
  const options = new Map<LimitEntity, Map<string, unknown>>();
  // The entities side by side (a run's start waits for them); each one's option load follows its field list.
  await Promise.all(SOURCES.map(async ({ entity }) => {
    // Individual: custom groups that extend Individual only show up for that contact type.
    const values = entity === 'Contact' ? { values: { contact_type: 'Individual' } } : {};
    const res = await client.call<RawField>(entity, 'getFields', { action: 'create', select: SELECT, ...values });
    const writable = res.values.filter(isWritable);
    fields.set(entity, writable);
    const withOptions = writable.filter((f) => f.options === true && !NO_OPTION_LOAD.has(f.name)).map((f) => f.name);
    if (withOptions.length === 0) return;
    const loaded = await client.call<RawField>(entity, 'getFields', {
      action: 'create',
      select: ['name', 'options'],
      loadOptions: ['id', 'name', 'label'],
      where: [['name', 'IN', withOptions]],
      ...values,
    });
    options.set(entity, new Map(loaded.values.map((f) => [f.name, f.options])));
  }));
  return buildFieldSpecs(fields, options);
}

export type FieldDescriber = (opts?: { fresh?: boolean }) => Promise<Map<string, FieldSpec>>;

/**
 * A describer that caches the answer for `maxAgeMs`; `fresh` fetches again (each run starts so,
 * since a CRM admin may have added fields since; the age bound serves workers in other processes),
 * or joins a fetch still under way (the streams of a run check their fields side by side).
 * A failed fetch is retried on the next call.
 */
export function createFieldDescriber(client: CiviClient, opts: { maxAgeMs?: number; now?: () => number } = {}): FieldDescriber {
  const maxAgeMs = opts.maxAgeMs ?? 300_000;
  const now = opts.now ?? Date.now;
  let cached: Promise<Map<string, FieldSpec>> | undefined;
  let pending = false;
  let fetchedAt = 0;
  return (call = {}) => {
    if ((call.fresh && !pending) || now() - fetchedAt > maxAgeMs) cached = undefined;
    if (cached === undefined) {
      fetchedAt = now();
      pending = true;
      const fetching = fetchContactFields(client);
      cached = fetching;
      fetching.then(
        () => { if (cached === fetching) pending = false; },
        () => { if (cached === fetching) { cached = undefined; pending = false; } },
      );
    }
    return cached;
  };
}

/**
 * Test helpers for the CiviCRM connector: recorded exchanges of a real CiviCRM 6.17.2 as nock
 * replies (test/contracts/civicrm/transcript.json), and getFields answers for Email/Phone/Address built
 * from the field lists generated from CiviCRM's schemas (the recording only holds Contact getFields).
 */
import { readFileSync } from 'node:fs';
import { parse as parseQuery } from 'node:querystring';
import type { CrmConfig } from '../../src/config/schema.js';
import { LOCATION_FIELDS } from '../contracts/civicrm/location-fields.js';

export interface Exchange {
  name: string;
  request: { params: Record<string, unknown> | null; headers: Record<string, string> };
  response: { status: number; contentType: string; body: unknown };
}

const transcript = JSON.parse(readFileSync(new URL('../contracts/civicrm/transcript.json', import.meta.url), 'utf8')) as Exchange[];

/** The recorded exchange whose name starts with `prefix` (exactly one must match). */
export function recorded(prefix: string): Exchange {
  const hits = transcript.filter((x) => x.name.startsWith(prefix));
  if (hits.length !== 1) throw new Error(`${hits.length} recorded exchanges start with "${prefix}"`);
  return hits[0]!;
}

/** [status, body, headers] for nock's reply(), keeping the recorded content type. */
export function replyOf(x: Exchange, extraHeaders: Record<string, string> = {}): [number, string, Record<string, string>] {
  const body = typeof x.response.body === 'string' ? x.response.body : JSON.stringify(x.response.body);
  return [x.response.status, body, { 'Content-Type': x.response.contentType, ...extraHeaders }];
}

export function envelope(entity: string, action: string, values: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { values, entity, action, debug: null, version: 4, count: values.length, countFetched: values.length, ...extra };
}

/** Decode the `params` form field of a request body as nock hands it over (string or parsed object). */
export function paramsOf(body: unknown): Record<string, unknown> {
  const form = typeof body === 'string' ? parseQuery(body) : (body as Record<string, unknown>);
  const raw = form.params;
  if (typeof raw !== 'string') throw new Error('request has no params form field');
  return JSON.parse(raw) as Record<string, unknown>;
}

export const API_KEY = 'k3y-Secret-9f2c6a0e4b7d4f1a';
export const SITE_KEY = 's1te-Secret-0c1e5b2d7a6f';
export const BASE = 'https://crm.example.org';

export function crmConfig(over: Partial<CrmConfig> = {}): CrmConfig {
  return { type: 'civicrm', base_url: BASE, api_key: API_KEY, batch_size: 50, timeout_ms: 5000, retries: 3, ...over };
}

export const FAST_RETRY = { minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 60_000 };

function schemaFields(entity: string): Array<Record<string, unknown>> {
  const fields = LOCATION_FIELDS[entity as keyof typeof LOCATION_FIELDS];
  if (!fields) throw new Error(`no generated field list for ${entity}`);
  return fields.map((f) => ({ type: 'Field', name: f.name, data_type: f.data_type, input_type: f.input_type, readonly: f.readonly, options: f.options }));
}

const COUNTRIES = ['GB', 'ES', 'HK', 'US', 'DE', 'FR'].map((iso, i) => ({ id: 1000 + i, name: iso, label: iso }));

/** A getFields answer for `entity` as the real server would give it to the sync user. */
export function getFieldsReply(entity: string, params: Record<string, unknown>): Record<string, unknown> {
  const loadOptions = params.loadOptions !== undefined;
  if (entity === 'Contact') {
    if (loadOptions) {
      const options = recorded('Contact.getFields loadOptions').response.body as { values: Array<{ name: string }> };
      const wanted = ((params.where as unknown[][])[0]?.[2] ?? []) as string[];
      return envelope('Contact', 'getFields', options.values.filter((v) => wanted.includes(v.name)));
    }
    const core = (recorded('Contact.getFields (action create').response.body as { values: unknown[] }).values;
    const custom = (recorded('Contact.getFields custom fields only').response.body as { values: Array<Record<string, unknown>> }).values.map((f) => ({
      ...f,
      readonly: false,
      options: false,
    }));
    const contactType = { type: 'Field', name: 'contact_type', data_type: 'String', input_type: 'Select', readonly: true, options: true };
    return envelope('Contact', 'getFields', [contactType, ...core, ...custom]);
  }
  if (loadOptions) {
    const wanted = ((params.where as unknown[][])[0]?.[2] ?? []) as string[];
    const rows = wanted.map((name) => ({ name, options: name === 'country_id' ? COUNTRIES : [{ id: 1, name: 'Home', label: 'Home' }] }));
    return envelope(entity, 'getFields', rows);
  }
  return envelope(entity, 'getFields', schemaFields(entity));
}

/**
 * Creates or updates the custom groups and fields a mapping writes (CustomGroup/CustomField save
 * + match, so running it again is harmless). Needs an admin API key: the sync user gets 403.
 */
import { BridgeError, classifyError } from '../../src/core/errors.js';
import type { CustomGroupDecl } from '../../src/mapping/types.js';
import type { CiviClient } from './client.js';

export interface BootstrapSummary {
  groups: number;
  fields: number;
}

function explain(err: unknown): BridgeError {
  const e = classifyError(err);
  if (e.code !== 'CRM_FORBIDDEN') return e;
  return new BridgeError(
    'CRM_FORBIDDEN',
    `${e.message}; creating custom fields needs an admin API key (permission 'administer CiviCRM data'): the sync user is not allowed to, run the bootstrap with an administrator's key`,
    { context: e.context, cause: e },
  );
}

export async function bootstrapCustomFields(client: CiviClient, groups: readonly CustomGroupDecl[]): Promise<BootstrapSummary> {
  if (groups.length === 0) return { groups: 0, fields: 0 };
  const fields = groups.flatMap((g) =>
    g.fields.map((f) => ({
      'custom_group_id:name': g.name,
      name: f.name,
      label: f.label,
      data_type: f.dataType,
      html_type: f.htmlType,
      ...(f.maxLength !== undefined && f.dataType === 'String' ? { text_length: f.maxLength } : {}),
    })),
  );
  try {
    await client.call('CustomGroup', 'save', {
      records: groups.map((g) => ({ name: g.name, title: g.title, extends: g.extends, style: 'Inline' })),
      match: ['name'],
    });
    if (fields.length > 0) await client.call('CustomField', 'save', { records: fields, match: ['custom_group_id', 'name'] });
  } catch (err) {
    throw explain(err);
  }
  return { groups: groups.length, fields: fields.length };
}

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { nullLogger } from '../../src/core/logger.js';
import { createCiviClient } from '../../connectors/civicrm/client.js';
import { buildFieldSpecs, createFieldDescriber, type RawField } from '../../connectors/civicrm/fields.js';
import { BASE, crmConfig, FAST_RETRY, getFieldsReply, paramsOf } from './civicrm-fixtures.js';

beforeAll(() => nock.disableNetConnect());
// Each test file loads its own nock; release the http interceptor for the next file in this worker.
afterAll(() => nock.restore());
afterEach(() => {
  nock.cleanAll();
});

function mockGetFields(): { calls: Array<{ entity: string; params: Record<string, unknown> }> } {
  const calls: Array<{ entity: string; params: Record<string, unknown> }> = [];
  nock(BASE)
    .persist()
    .post(/\/civicrm\/ajax\/api4\/\w+\/getFields$/)
    .reply(function (uri, body) {
      const entity = uri.split('/')[4]!;
      const params = paramsOf(body);
      calls.push({ entity, params });
      return [200, getFieldsReply(entity, params), { 'Content-Type': 'application/json' }];
    });
  return { calls };
}

describe('describeContactFields', () => {
  it('builds specs for core, custom, primary location and :name option fields, from a handful of calls', async () => {
    const { calls } = mockGetFields();
    const client = createCiviClient(crmConfig(), { logger: nullLogger, retry: FAST_RETRY });
    const specs = await createFieldDescriber(client)();

    expect(specs.get('first_name')).toEqual({ name: 'first_name', dataType: 'String', maxLength: 64 });
    expect(specs.get('external_identifier')?.maxLength).toBe(64);
    expect(specs.get('birth_date')?.dataType).toBe('Date');
    expect(specs.get('do_not_email')?.dataType).toBe('Boolean');
    expect(specs.get('Library_Patron.Card_Number')).toEqual({ name: 'Library_Patron.Card_Number', dataType: 'String', maxLength: 255 });
    expect(specs.get('Library_Patron.Last_Checkout')?.dataType).toBe('Date');
    expect(specs.get('email_primary.email')).toEqual({ name: 'email_primary.email', dataType: 'Email', maxLength: 254 });
    expect(specs.get('phone_primary.phone')?.maxLength).toBe(32);
    expect(specs.get('address_primary.street_address')?.maxLength).toBe(96);
    expect(specs.get('address_primary.country_id:name')?.options).toContain('GB');
    expect(specs.get('gender_id:name')?.options).toEqual(['Female', 'Male', 'Other']);
    expect(specs.get('prefix_id:name')?.options).toContain('Dr.');
    expect(specs.get('contact_type')?.options).toEqual(['Household', 'Individual', 'Organization']);
    // The state list is too large to load at startup: accepted without an option check.
    expect(specs.get('address_primary.state_province_id:name')).toEqual({ name: 'address_primary.state_province_id:name', dataType: 'String' });
    // Read-only and API-managed fields are not writable targets.
    for (const f of ['display_name', 'sort_name', 'hash', 'api_key', 'email_primary', 'email_primary.contact_id', 'email_primary.is_primary']) {
      expect(specs.has(f)).toBe(false);
    }

    expect(calls.every((c) => c.params.action === 'create')).toBe(true);
    expect(calls.find((c) => c.entity === 'Contact')?.params.values).toEqual({ contact_type: 'Individual' });
    const addressOptions = calls.find((c) => c.entity === 'Address' && c.params.loadOptions);
    expect(JSON.stringify(addressOptions?.params.where)).not.toContain('state_province_id');
  });

  it('fetches once and serves later calls from the cache', async () => {
    const { calls } = mockGetFields();
    const client = createCiviClient(crmConfig(), { logger: nullLogger, retry: FAST_RETRY });
    const describe = createFieldDescriber(client);
    await describe();
    const first = calls.length;
    await Promise.all([describe(), describe()]);
    expect(calls.length).toBe(first);
    expect(first).toBeLessThanOrEqual(8);
  });

  it('asks the CRM again when told to (a run starts) and once the cached answer is older than its age bound', async () => {
    const { calls } = mockGetFields();
    const client = createCiviClient(crmConfig(), { logger: nullLogger, retry: FAST_RETRY });
    let clock = 0;
    const describe = createFieldDescriber(client, { maxAgeMs: 1000, now: () => clock });
    await describe();
    const once = calls.length;
    clock = 999;
    await describe();
    expect(calls.length).toBe(once);
    await describe({ fresh: true });
    expect(calls.length).toBe(2 * once);
    clock = 2100;
    await describe();
    expect(calls.length).toBe(3 * once);
  });

  it('lets checks that ask for fresh fields at the same time share one fetch (the streams of a run start side by side)', async () => {
    const { calls } = mockGetFields();
    const client = createCiviClient(crmConfig(), { logger: nullLogger, retry: FAST_RETRY });
    const describe = createFieldDescriber(client);
    await describe();
    const once = calls.length;
    const [a, b] = await Promise.all([describe({ fresh: true }), describe({ fresh: true })]);
    expect(calls.length).toBe(2 * once);
    expect(b).toBe(a);
    // once that fetch is over, fresh asks again
    await describe({ fresh: true });
    expect(calls.length).toBe(3 * once);
  });
});

describe('buildFieldSpecs', () => {
  it('prefers a maxlength given by getFields input_attrs over the bundled schema table', () => {
    const contact: RawField[] = [
      { name: 'first_name', data_type: 'String', type: 'Field', readonly: false, options: false, input_attrs: { maxlength: 40 } },
      { name: 'Library_Patron.Card_Number', data_type: 'String', type: 'Custom', readonly: false, options: false, input_attrs: { maxlength: 20 } },
      { name: 'job_title', data_type: 'String', type: 'Field', readonly: false, options: false, input_attrs: [] },
    ];
    const specs = buildFieldSpecs(new Map([['Contact', contact]]));
    expect(specs.get('first_name')?.maxLength).toBe(40);
    expect(specs.get('Library_Patron.Card_Number')?.maxLength).toBe(20);
    expect(specs.get('job_title')?.maxLength).toBe(255);
  });
});

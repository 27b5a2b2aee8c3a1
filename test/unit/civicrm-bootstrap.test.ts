import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { nullLogger } from '../../src/core/logger.js';
import type { CustomGroupDecl } from '../../src/mapping/types.js';
import { bootstrapCustomFields } from '../../connectors/civicrm/bootstrap.js';
import { createCiviClient } from '../../connectors/civicrm/client.js';
import { BASE, crmConfig, envelope, FAST_RETRY, paramsOf, recorded, replyOf } from './civicrm-fixtures.js';

const decl: CustomGroupDecl[] = [
  {
    name: 'Library_Patron',
    title: 'Library patron',
    extends: 'Individual',
    fields: [
      { group: 'Library_Patron', name: 'Card_Number', label: 'Card number', dataType: 'String', htmlType: 'Text', maxLength: 32 },
      { group: 'Library_Patron', name: 'Last_Checkout', label: 'Last checkout', dataType: 'Date', htmlType: 'Select Date' },
    ],
  },
];

const client = () => createCiviClient(crmConfig(), { logger: nullLogger, retry: FAST_RETRY });

beforeAll(() => nock.disableNetConnect());
// Each test file loads its own nock; release the http interceptor for the next file in this worker.
afterAll(() => nock.restore());
afterEach(() => {
  nock.cleanAll();
});

describe('bootstrapCustomFields', () => {
  it('saves groups and fields with match keys, so a second run updates instead of duplicating', async () => {
    const sent: Record<string, Record<string, unknown>> = {};
    nock(BASE)
      .post('/civicrm/ajax/api4/CustomGroup/save', (b: unknown) => Boolean((sent.group = paramsOf(b))))
      .reply(200, envelope('CustomGroup', 'save', [{ id: 1, name: 'Library_Patron' }]), { 'Content-Type': 'application/json' })
      .post('/civicrm/ajax/api4/CustomField/save', (b: unknown) => Boolean((sent.field = paramsOf(b))))
      .reply(...replyOf(recorded('CustomField.save Card_Number again')));
    const summary = await bootstrapCustomFields(client(), decl);
    expect(summary).toEqual({ groups: 1, fields: 2 });
    expect(sent.group).toEqual({
      records: [{ name: 'Library_Patron', title: 'Library patron', extends: 'Individual', style: 'Inline' }],
      match: ['name'],
    });
    expect(sent.field).toEqual({
      records: [
        { 'custom_group_id:name': 'Library_Patron', name: 'Card_Number', label: 'Card number', data_type: 'String', html_type: 'Text', text_length: 32 },
        { 'custom_group_id:name': 'Library_Patron', name: 'Last_Checkout', label: 'Last checkout', data_type: 'Date', html_type: 'Select Date' },
      ],
      match: ['custom_group_id', 'name'],
    });
  });

  it('explains that the sync user cannot do it and an admin key is needed', async () => {
    const forbidden = recorded('CustomGroup.create by sync user');
    nock(BASE).post('/civicrm/ajax/api4/CustomGroup/save').reply(...replyOf(forbidden));
    await expect(bootstrapCustomFields(client(), decl)).rejects.toMatchObject({
      code: 'CRM_FORBIDDEN',
      message: expect.stringMatching(/admin API key/),
    });
  });
});

/** The shipped mapping on realistic and hostile patrons; expected results are written by hand in golden/. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { SourceRecord } from '../../src/core/types.js';
import { loadMapping } from '../../src/mapping/index.js';

const golden = (name: string): unknown => JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8'));
const inputs = golden('koha-patrons.input.json') as { note: string; data: Record<string, unknown> }[];
const expected = golden('koha-patrons.expected.json') as unknown[];
const SHIPPED = new URL('../../mappings/koha-to-civicrm.yaml', import.meta.url).pathname;
/** Ages (minors) and card expiry are judged on this day. */
const TODAY = { today: '2026-11-23' };

function toRecord(data: Record<string, unknown>): SourceRecord {
  return { sourceId: 'koha', kind: 'patron', id: String(data['patron_id']), updatedAt: String(data['updated_on']),
    anonymised: data['anonymized'] === true, data };
}

describe('shipped mapping koha-to-civicrm.yaml (golden)', () => {
  it('has one expected result per input', () => {
    expect(expected).toHaveLength(inputs.length);
  });

  it.each(inputs.map((input, i) => [input.note, i] as const))('%s', async (_note, i) => {
    const mapping = await loadMapping(SHIPPED, 'koha');
    const input = inputs[i]!;
    const result = mapping.transform(toRecord(input.data), TODAY);
    expect(result).toEqual(expected[i]);
    // Compare key order too: it is what a reviewer reads in the golden file.
    if (result.kind === 'contact') expect(Object.keys(result.contact.values)).toEqual(
      Object.keys((expected[i] as { contact: { values: object } }).contact.values));
  });

  it('rejections and skips never carry personal values', async () => {
    const mapping = await loadMapping(SHIPPED, 'koha');
    for (const input of inputs) {
      const result = mapping.transform(toRecord(input.data));
      if (result.kind === 'contact') continue;
      for (const v of Object.values(input.data)) {
        if (typeof v === 'string' && v.trim().length > 2) expect(result.reason).not.toContain(v.trim());
      }
    }
  });

  it('declares the custom fields it writes', async () => {
    const mapping = await loadMapping(SHIPPED, 'koha');
    expect(mapping.customGroups.map((g) => [g.name, g.fields.map((f) => `${f.name}:${f.dataType}`)])).toEqual([
      ['Library_Patron', ['Card_Number:String', 'Home_Branch:String', 'Patron_Category:String', 'Card_Expiry:Date']],
      // loans: one activity per checkout, keyed by Loan_ID
      ['Library_Loan', ['Loan_ID:String', 'Due_Date:Date', 'Return_Date:Date', 'Branch:String']],
      ['Library_Engagement', ['First_Loan:Date', 'Last_Loan:Date', 'Loans_12_Months:Int', 'Lapsed:Boolean']],
    ]);
    expect(mapping.targetFields).toEqual(expect.arrayContaining(['external_identifier', 'address_primary.country_id:name', 'Library_Patron.Card_Expiry']));
  });
});

import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeError } from '../../src/core/errors.js';
import { compileMapping, compileMappingText, loadMapping } from '../../src/mapping/index.js';

const FILE = 'mappings/test.yaml';

// Line numbers matter: tests point at them.
const BASE = [
  'version: 1', //                                          1
  'source: koha', //                                        2
  'external_id: { from: patron_id }', //                    3
  'fields:', //                                             4
  '  last_name:', //                                        5
  '    from: surname', //                                   6
  '    required: true', //                                  7
  '  email_primary.email:', //                              8
  '    from: email', //                                     9
  '    transform: [trim, lower]', //                        10
  '  address_primary.street_address:', //                   11
  '    template: "{street_number} {address}"', //           12
  '  Library_Patron.Card_Number: { from: cardnumber }', //  13
  'custom_fields:', //                                      14
  '  Library_Patron:', //                                   15
  '    title: Library patron', //                           16
  '    fields:', //                                         17
  '      Card_Number: { label: Card number, max_length: 32 }', // 18
  'groups:', //                                             19
  '  - { name: "Koha_Category_{category_id}", title: "Category {category_id}" }', // 20
].join('\n');

function errorOf(text: string): BridgeError {
  try {
    compileMappingText(text, FILE, 'koha');
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('MAPPING_INVALID');
    return err as BridgeError;
  }
  throw new Error('expected the mapping to be refused');
}

function edit(line: number, text: string): string {
  const lines = BASE.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

describe('compileMapping errors name the file, the path, the line and what was expected', () => {
  it.each([
    ['unknown transform', edit(10, '    transform: [trim, lowr]'),
      `${FILE}:10: fields."email_primary.email".transform[1]: unknown transform "lowr"; expected one of trim, lower, upper, collapse_spaces`],
    ['unknown key (typo)', edit(7, '    requird: true'),
      `${FILE}:7: fields.last_name.requird: unknown key "requird"; did you mean "required"?`],
    ['unknown top-level key', `${BASE}\ncontact_typ: Individual`,
      `${FILE}:21: contact_typ: unknown key "contact_typ"; did you mean "contact_type"?`],
    ['unknown Koha field in from', edit(6, '    from: surnam'),
      `${FILE}:6: fields.last_name.from: unknown Koha patron field "surnam"; did you mean "surname"?`],
    ['unknown Koha field in a from list', edit(9, '    from: [email, emial2]'),
      `${FILE}:9: fields."email_primary.email".from[1]: unknown Koha patron field "emial2"`],
    ['unknown Koha field in a template', edit(12, '    template: "{street_numbr} {address}"'),
      `${FILE}:12: fields."address_primary.street_address".template: unknown Koha patron field "street_numbr" in template; did you mean "street_number"?`],
    ['unknown Koha field in a group name', edit(20, '  - { name: "Koha_{categoryid}", title: "Category" }'),
      `${FILE}:20: groups[0].name: unknown Koha patron field "categoryid" in template; did you mean "category_id"?`],
    ['undeclared custom field', edit(13, '  Library_Patron.Card_Numbr: { from: cardnumber }'),
      `${FILE}:13: fields."Library_Patron.Card_Numbr": custom field "Library_Patron.Card_Numbr" is not declared under custom_fields.Library_Patron.fields`],
    ['two value sources', edit(9, '    from: email\n    value: x@example.org'),
      `${FILE}:8: fields."email_primary.email": has from and value; use only one`],
    ['reserved target', edit(13, '  external_identifier: { from: cardnumber }'),
      `${FILE}:13: fields.external_identifier: "external_identifier" is set by the mapping itself`],
    ['birth_date without type: date', edit(13, '  birth_date: { from: date_of_birth }'),
      `${FILE}:13: fields.birth_date.type: "birth_date" is a date; expected type: date`],
    ['bad attribute code', edit(9, '    from: { extended_attribute: "STUDENT ID" }'),
      `${FILE}:9: fields."email_primary.email".from.extended_attribute: expected a Koha extended attribute type code`],
    ['template syntax', edit(12, '    template: "{street_number {address}"'),
      `${FILE}:12: fields."address_primary.street_address".template: nested "{" in template`],
    ['wrong version', edit(1, 'version: 2'), `${FILE}:1: version: expected version: 1`],
    ['custom Date field fed without type: date', edit(18, '      Card_Number: { label: Card number, type: Date }'),
      `${FILE}:13: fields."Library_Patron.Card_Number".type: custom field "Library_Patron.Card_Number" is Date; expected type: date`],
    ['constant that fails its type', edit(13, '  birth_date: { value: "1990-02-31", type: date }'),
      `${FILE}:13: fields.birth_date.value: constant is not a calendar date`],
    ['unknown on_too_long action', edit(7, '    on_too_long: cut'),
      `${FILE}:7: fields.last_name.on_too_long: unknown on_too_long action "cut"; expected one of truncate, omit, reject`],
    ['unknown on_invalid action', edit(7, '    on_invalid: drop'),
      `${FILE}:7: fields.last_name.on_invalid: unknown on_invalid action "drop"; expected one of omit, reject`],
    ['on_too_long typo', edit(7, '    on_too_lng: omit'), `${FILE}:7: fields.last_name.on_too_lng: unknown key "on_too_lng"; did you mean "on_too_long"?`],
    ['max_length not a number', edit(7, '    max_length: sixty'), `${FILE}:7: fields.last_name.max_length: expected a whole number of characters`],
    ['max_length not whole', edit(7, '    max_length: 6.5'), `${FILE}:7: fields.last_name.max_length: expected a whole number of characters`],
    ['max_length zero', edit(7, '    max_length: 0'), `${FILE}:7: fields.last_name.max_length: expected at least 1 character`],
    ['max_length on a date', edit(13, '  birth_date: { from: date_of_birth, type: date, max_length: 10 }'),
      `${FILE}:13: fields.birth_date.max_length: max_length applies to text; this field has type: date`],
    ['on_too_long on a boolean', edit(13, '  do_not_email: { from: patron_card_lost, type: boolean, on_too_long: omit }'),
      `${FILE}:13: fields.do_not_email.on_too_long: on_too_long applies to text; this field has type: boolean`],
    ['constant longer than its max_length', edit(13, '  source: { value: "Koha library", max_length: 4 }'),
      `${FILE}:13: fields.source.value: constant is longer than 4 characters`],
    ['a field and its :label form writing one CRM field', edit(13, '  gender_id: { value: "1" }\n  gender_id:label: { value: Female }'),
      `${FILE}:14: fields."gender_id:label": also writes CiviCRM field "gender_id", like fields.gender_id (line 13); expected one entry per CRM field: keep one of them`],
    ['two suffix forms writing one CRM field', edit(13, '  address_primary.country_id:name: { from: country }\n  phone_primary.phone: { from: phone }\n  address_primary.country_id:label: { from: country }'),
      `${FILE}:15: fields."address_primary.country_id:label": also writes CiviCRM field "address_primary.country_id", like fields."address_primary.country_id:name" (line 13); expected one entry per CRM field: keep one of them`],
    ['the mapping is a list, not a map', '- version: 1\n- source: koha\n',
      `${FILE}:1: (top level): expected a map (key: value lines) with keys such as version, source, contact_type, external_id, fields, custom_fields, groups, groups_on_conflict, match, loans, privacy, lifecycle, engagement, got a list`],
    ['missing external_id (line of the parent)', edit(3, ''), `${FILE}:1: external_id: required key is missing (expected a map)`],
  ])('%s', (_name, text, expected) => {
    expect(errorOf(text).message).toContain(expected);
  });

  it('reports every problem at once, each with its line', () => {
    const text = edit(6, '    from: surnam').replace('lower]', 'lowr]');
    const e = errorOf(text);
    expect(e.message).toContain(`${FILE}:6: fields.last_name.from`);
    expect(e.message).toContain(`${FILE}:10: fields."email_primary.email".transform[1]`);
    expect(e.context).toMatchObject({ system: 'mapping', file: FILE });
  });

  it('reports YAML syntax errors with file, line and column', () => {
    const e = errorOf(edit(9, '    from: [email'));
    expect(e.message).toMatch(new RegExp(`${FILE}:\\d+:\\d+: YAML syntax error`));
    expect(e.context).toMatchObject({ file: FILE });
  });

  it('refuses duplicate keys (the second would silently win)', () => {
    expect(errorOf(`${BASE}\nversion: 1`).message).toMatch(new RegExp(`${FILE}:21:\\d+: YAML syntax error: Map keys must be unique`));
  });

  it('also validates plain objects (no line numbers then)', () => {
    expect(() => compileMapping({ version: 1, source: 'koha', external_id: { from: 'patron_id' }, fields: { x: { frm: 'a' } } },
      { file: 'inline', sourceId: 'koha' })).toThrow('inline: fields.x.frm: unknown key "frm"; did you mean "from"?');
  });

  it('a missing file is a MAPPING_INVALID naming the file', async () => {
    await expect(loadMapping('/nonexistent/mapping.yaml', 'koha')).rejects.toMatchObject({
      code: 'MAPPING_INVALID', message: '/nonexistent/mapping.yaml: cannot read the mapping file: no such file (ENOENT)',
    });
  });
});

describe('compiled mapping metadata', () => {
  it('lists every CRM field written and the custom groups to bootstrap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-mapping-'));
    const file = join(dir, 'm.yaml');
    await writeFile(file, BASE);
    const m = await loadMapping(file, 'koha');
    expect(m.file).toBe(file);
    expect(m.sourceType).toBe('koha');
    expect(m.targetFields).toEqual([
      'contact_type', 'external_identifier', 'last_name', 'email_primary.email', 'address_primary.street_address',
      'Library_Patron.Card_Number',
      // minors are flagged do-not-email and do-not-mail by default (privacy.minors.action: flag)
      'do_not_email', 'do_not_mail',
    ]);
    expect(m.customGroups).toEqual([{
      name: 'Library_Patron', title: 'Library patron', extends: 'Individual',
      fields: [{ group: 'Library_Patron', name: 'Card_Number', label: 'Card number', dataType: 'String', htmlType: 'Text', maxLength: 32 }],
    }]);
  });
});

describe('line numbers inside block lists', () => {
  it('points at the list item, not at the list', () => {
    const text = `${BASE}\n  - name: Koha_Branch_{library_id}\n    title: "Branch {library_idd}"`;
    expect(errorOf(text).message).toContain(`${FILE}:22: groups[1].title: unknown Koha patron field "library_idd" in template`);
  });
});

/** Option groups and values of a fresh CiviCRM install (the subset the sync and the recording touch). */
type V = [value: string, name: string, label?: string];

const named = (names: string[], from = 1): V[] => names.map((n, i) => [String(i + from), n, n]);

const ACTIVITY_TYPES = [
  'Meeting', 'Phone Call', 'Email', 'Outbound SMS', 'Event Registration', 'Contribution', 'Membership Signup',
  'Membership Renewal', 'Tell a Friend', 'Pledge Acknowledgment', 'Pledge Reminder', 'Inbound Email', 'Open Case',
  'Follow up', 'Change Case Type', 'Change Case Status', 'Membership Renewal Reminder', 'Change Case Start Date',
  'Bulk Email', 'Assign Case Role', 'Remove Case Role', 'Print PDF Letter', 'Merge Case', 'Reassigned Case',
  'Link Cases', 'Change Case Tags', 'Add Client To Case', 'Survey', 'Canvass', 'PhoneBank', 'WalkList',
  'Petition Signature', 'Change Custom Data', 'Inbound SMS', 'Change Membership Status', 'Change Membership Type',
  'Cancel Recurring Contribution', 'Update Recurring Contribution Billing Details', 'Update Recurring Contribution',
  'Reminder Sent', 'Export Accounting Batch', 'Create Batch', 'Edit Batch', 'SMS delivery', 'Mass SMS',
  'Change Registration', 'Downloaded Invoice', 'Emailed Invoice', 'Contact Merged', 'Contact Deleted by Merge',
  'Failed Payment', 'Close Accounting Period', 'Case Client Removed', 'Interview', 'Contact Created',
];

/** [option group name, values]; group ids are assigned in this order (activity_type is 2, as recorded). */
export const OPTION_GROUPS: Array<[string, V[]]> = [
  ['preferred_communication_method', named(['Phone', 'Email', 'Postal Mail', 'SMS', 'Fax'])],
  ['activity_type', named(ACTIVITY_TYPES)],
  ['gender', named(['Female', 'Male', 'Other'])],
  ['individual_prefix', named(['Mrs.', 'Ms.', 'Mr.', 'Dr.'])],
  ['individual_suffix', named(['Jr.', 'Sr.', 'II', 'III', 'IV', 'V', 'VI', 'VII'])],
  ['activity_status', named(['Scheduled', 'Completed', 'Cancelled', 'Left Message', 'Unreachable', 'Not Required', 'Available', 'No_show'])],
  ['priority', named(['Urgent', 'Normal', 'Low'])],
  ['activity_contacts', named(['Activity Assignees', 'Activity Source', 'Activity Targets'])],
  ['phone_type', named(['Phone', 'Mobile', 'Fax', 'Pager', 'Voicemail'])],
  ['group_type', named(['Access Control', 'Mailing List'])],
  ['communication_style', named(['Formal', 'Familiar'])],
  ['email_greeting', [['1', 'Dear {contact.first_name}'], ['2', 'Dear {contact.prefix_id:label} {contact.first_name} {contact.last_name}'], ['3', 'Dear {contact.prefix_id:label} {contact.last_name}'], ['4', 'Customized'], ['5', 'Dear {contact.household_name}']]],
  ['postal_greeting', [['1', 'Dear {contact.first_name}'], ['2', 'Dear {contact.prefix_id:label} {contact.first_name} {contact.last_name}'], ['3', 'Dear {contact.prefix_id:label} {contact.last_name}'], ['4', 'Customized'], ['5', 'Dear {contact.household_name}']]],
  ['addressee', [['1', '{contact.prefix_id:label}{ }{contact.first_name}{ }{contact.middle_name}{ }{contact.last_name}{ }{contact.suffix_id:label}'], ['2', '{contact.household_name}'], ['3', '{contact.organization_name}'], ['4', 'Customized']]],
  ['languages', [['en', 'en_US', 'English (United States)'], ['en_GB', 'en_GB', 'English (United Kingdom)'], ['fr', 'fr_FR', 'French (France)'], ['de', 'de_DE', 'German'], ['es', 'es_ES', 'Spanish; Castilian (Spain)']]],
  ['tag_used_for', [['civicrm_contact', 'Contact', 'Contacts'], ['civicrm_activity', 'Activity', 'Activities'], ['civicrm_case', 'Case', 'Cases'], ['civicrm_file', 'File', 'Attachments']]],
  ['encounter_medium', named(['in_person', 'phone', 'email', 'fax', 'letter_mail'])],
  ['engagement_index', named(['1', '2', '3', '4', '5'])],
  ['visibility', named(['public', 'admin'])],
];

/** The next OptionValue id on the recorded install (the Library_Loan activity type got 888). */
export const OPTION_VALUE_NEXT_ID = 888;

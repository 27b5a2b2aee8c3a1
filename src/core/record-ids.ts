/** Source record ids in natural order ("9" before "10"): one collator, not one per comparison (localeCompare with options builds one each time). */
export const byRecordId = new Intl.Collator('en', { numeric: true });

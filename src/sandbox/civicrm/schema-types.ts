/** Shape of the compact field metadata in schema-*.ts, generated from CiviCRM's entity schemas (`npm run contracts:refresh`). */
export type DataType = 'Integer' | 'String' | 'Text' | 'Boolean' | 'Date' | 'Timestamp' | 'Float' | 'Money' | 'Array';

/** Pseudoconstant source: an option group, a table, or a PHP callback (emulated by name). */
export type OptionSource =
  | { og: string }
  | { table: string; key: string; name: string; label: string }
  | { cb: string };

export interface FieldSchema {
  n: string;
  t: string;
  max?: number;
  req?: boolean;
  /** required on create (APIv4 "Mandatory values missing") */
  roc?: boolean;
  def?: unknown;
  ro?: boolean;
  input?: string;
  opt?: OptionSource;
  fk?: string;
  ser?: string;
  /** Contact fields that only exist for one contact type */
  ctype?: string;
  title: string;
}

export interface EntitySchema {
  entity: string;
  table: string;
  unique: string[][];
  fields: FieldSchema[];
}

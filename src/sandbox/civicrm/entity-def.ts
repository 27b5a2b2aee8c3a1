/** The per-entity description the generic get/write/getFields engines work from. */
import type { EntitySchema, FieldSchema } from './schema-types.js';
import type { CallContext, Row } from './context.js';

/** A virtual field (APIv4 "Extra"/"Filter"): computed on read, sometimes writable through a hook. */
export interface ExtraField {
  name: string;
  dataType: string;
  type: 'Extra' | 'Filter';
  fk?: string;
  options?: FieldSchema['opt'];
  /** listed for getFields action=get only */
  getOnly?: boolean;
  read: (ctx: CallContext, row: Row) => unknown;
  /** ids of rows whose value may equal one of `values` (a superset; lets `=` / IN on the field use an index) */
  rowsWith?: (ctx: CallContext, values: readonly unknown[]) => number[];
}

export interface WriteState {
  ctx: CallContext;
  action: string;
  /** the record as sent, suffixes still on the keys */
  raw: Row;
  /** coerced core values about to be stored */
  values: Row;
  /** the stored row before this write (update only) */
  before?: Row;
  /** keys the hook handled itself, with the value the write response shows */
  handled: Row;
  /** required values a hook found missing (joined into "Mandatory values missing") */
  missing: string[];
}

export interface EntityHooks {
  /** fill computed columns, check required values; runs before unique/FK checks */
  prepare?: (s: WriteState) => void;
  /** child rows (locations, activity contacts) once the row has its id */
  afterWrite?: (s: WriteState, row: Row) => void;
  /** the leading part of the write response; defaults to id + written fields */
  responseBase?: (s: WriteState, row: Row) => Row;
  /** keys appended to every write response (CiviCRM's leftovers such as "check_permissions") */
  responseTail?: (s: WriteState) => Row;
  /** delete (or trash) one row; returns true when handled */
  remove?: (ctx: CallContext, row: Row, params: Row) => boolean;
}

export interface EntityDef {
  name: string;
  schema: EntitySchema;
  fields: ReadonlyMap<string, FieldSchema>;
  extras: ReadonlyMap<string, ExtraField>;
  actions: ReadonlySet<string>;
  /** [field, value] applied on get unless the where names the field or fetches by a unique key */
  defaultFilters: ReadonlyArray<[string, unknown]>;
  /** core fields a write silently ignores (computed by the server) */
  computed: ReadonlySet<string>;
  /** fields hidden from select "*" */
  hidden: ReadonlySet<string>;
  writePermission: readonly string[];
  deletePermission: readonly string[];
  deleteIdAsString?: boolean;
  /** the BAO re-reads the row, so an update response shows every stored column */
  fullUpdateResponse?: boolean;
  hooks: EntityHooks;
  /** the order rows come back in when no orderBy is sent (MariaDB index order) */
  naturalOrder?: (a: Row, b: Row) => number;
  /** the field naming the contact whose trash state hides the row from users without "access deleted contacts" */
  trashAclField?: string;
}

/**
 * Benchmark baseline: a Koha → CiviCRM sync written the way typical integrations are, one record at a
 * time over plain axios (none of patron-bridge's code): for each patron, look the contact up, create
 * or update it, then its e-mail, phone and address each with its own get + create/update, then each
 * loan with its own Activity.get + create/update. No batching, no caching of records, no retries.
 * It need not handle hostile data gracefully: a record the CRM refuses is counted and skipped.
 */
import axios, { type AxiosInstance } from 'axios';
import { DateTime } from 'luxon';
import { performance } from 'node:perf_hooks';

export interface BaselineOptions {
  koha: { url: string; username: string; password: string };
  crm: { url: string; apiKey: string };
  /** CRM time zone (IANA): date-times are sent as its wall clock; default: as Koha gives them (with their offset) */
  timezone?: string;
  loans: boolean;
  /** Koha page size (default 100) */
  perPage?: number;
}

export interface BaselineResult {
  /** patrons written (contact created or updated) */
  patrons: number;
  /** loans written (activity created or updated) */
  loans: number;
  /** HTTP requests to CiviCRM */
  requests: number;
  /** HTTP requests to Koha */
  kohaRequests: number;
  wallMs: number;
  contactsCreated: number;
  contactsUpdated: number;
  activitiesCreated: number;
  activitiesUpdated: number;
  /** patrons skipped for having no surname (anonymised ones among them) */
  skipped: number;
  /** records (contacts, e-mails, phones, addresses, loans) the CRM refused */
  refused: number;
}

type Rec = Record<string, unknown>;

const LIBRARY_SYSTEM = 'patron-bridge:library-system';

class CrmRefused extends Error {}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** A real calendar date YYYY-MM-DD (old Koha databases hold 0000-00-00 and 2026-02-31). */
const validDate = (v: unknown): string | null => {
  const s = str(v);
  return s && /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s).isValid ? s : null;
};

export async function runBaseline(opts: BaselineOptions): Promise<BaselineResult> {
  const t0 = performance.now();
  const out: BaselineResult = {
    patrons: 0, loans: 0, requests: 0, kohaRequests: 0, wallMs: 0,
    contactsCreated: 0, contactsUpdated: 0, activitiesCreated: 0, activitiesUpdated: 0, skipped: 0, refused: 0,
  };
  const koha: AxiosInstance = axios.create({ baseURL: `${opts.koha.url.replace(/\/+$/, '')}/api/v1`, auth: { username: opts.koha.username, password: opts.koha.password } });
  const crmBase = opts.crm.url.replace(/\/+$/, '');
  const perPage = opts.perPage ?? 100;

  async function civi(entity: string, action: string, params: Rec): Promise<Rec[]> {
    out.requests++;
    const r = await axios.post<Rec>(`${crmBase}/civicrm/ajax/api4/${entity}/${action}`, new URLSearchParams({ params: JSON.stringify(params) }).toString(), {
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json',
        'X-Civi-Auth': `Bearer ${opts.crm.apiKey}`, 'X-Requested-With': 'XMLHttpRequest',
      },
      validateStatus: () => true,
    });
    const body = r.data;
    if (r.status !== 200 || !body || typeof body !== 'object' || !Array.isArray(body['values'])) {
      throw new CrmRefused(`${entity}.${action}: HTTP ${r.status} ${typeof body === 'object' && body ? String(body['error_message'] ?? '') : ''}`);
    }
    return body['values'] as Rec[];
  }

  async function kohaList(path: string, query: Record<string, string>): Promise<Rec[]> {
    const rows: Rec[] = [];
    for (let page = 1; ; page++) {
      out.kohaRequests++;
      const r = await koha.get<Rec[]>(path, { params: { ...query, _per_page: perPage, _page: page } });
      rows.push(...r.data);
      const total = Number(r.headers['x-total-count']);
      if (r.data.length < perPage || (Number.isFinite(total) && rows.length >= total)) return rows;
    }
  }

  /** get by `where`, then update the row found or create one; returns [id, created]. */
  async function upsert(entity: string, where: unknown[][], values: Rec): Promise<[number, boolean]> {
    const found = await civi(entity, 'get', { select: ['id'], where, limit: 1 });
    const id = found[0]?.['id'];
    if (id !== undefined) {
      await civi(entity, 'update', { values: { ...values, id } });
      return [Number(id), false];
    }
    const created = await civi(entity, 'create', { values });
    return [Number(created[0]!['id']), true];
  }

  const dateTime = (v: unknown): string | null => {
    const s = str(v);
    if (!s || !opts.timezone) return s;
    const d = DateTime.fromISO(s, { setZone: true });
    return d.isValid ? d.setZone(opts.timezone).toFormat('yyyy-MM-dd HH:mm:ss') : s;
  };
  const dateOf = (v: unknown): string | null => dateTime(v)?.slice(0, 10) ?? null;

  // Setup, once: which Library_Patron fields the CRM has, and the contact loans are recorded from.
  const group = await civi('CustomGroup', 'get', { select: ['id'], where: [['name', '=', 'Library_Patron']] });
  const patronFields = new Set(
    group.length ? (await civi('CustomField', 'get', { select: ['name'], where: [['custom_group_id', '=', group[0]!['id']]] })).map((f) => String(f['name'])) : [],
  );
  let libraryContact: number | undefined;
  if (opts.loans) {
    const src = await civi('Contact', 'get', { select: ['id'], where: [['external_identifier', '=', LIBRARY_SYSTEM]], limit: 1 });
    if (!src.length) throw new Error(`no contact with external_identifier ${LIBRARY_SYSTEM} to record loans from`);
    libraryContact = Number(src[0]!['id']);
  }

  /** A write the CRM refuses is counted and skipped, as typical integrations do; anything else stops the sync. */
  const refusedOr = async <T>(write: () => Promise<T>): Promise<T | null> => {
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof CrmRefused)) throw err;
      out.refused++;
      return null;
    }
  };

  const patrons = await kohaList('/patrons', {});
  for (const p of patrons) {
    const surname = str(p['surname']);
    if (!surname) {
      out.skipped++;
      continue;
    }
    const values: Rec = {
      contact_type: 'Individual',
      external_identifier: String(p['patron_id']),
      first_name: str(p['preferred_name']) ?? str(p['firstname']),
      last_name: surname,
      birth_date: validDate(p['date_of_birth']),
      source: 'Koha',
    };
    const custom: Array<[string, unknown]> = [
      ['Card_Number', str(p['cardnumber'])], ['Home_Branch', p['library_id']], ['Patron_Category', p['category_id']], ['Card_Expiry', validDate(p['expiry_date'])],
    ];
    for (const [name, v] of custom) if (patronFields.has(name)) values[`Library_Patron.${name}`] = v ?? null;
    const contact = await refusedOr(() => upsert('Contact', [['external_identifier', '=', values['external_identifier']]], values));
    if (!contact) continue;
    const [contactId, contactCreated] = contact;
    if (contactCreated) out.contactsCreated++;
    else out.contactsUpdated++;
    out.patrons++;
    const street = [str(p['street_number']), str(p['address'])].filter(Boolean).join(' ') || null;
    const locations: Array<[string, Rec | null]> = [
      ['Email', str(p['email']) ? { email: str(p['email']) } : null],
      ['Phone', str(p['phone']) ?? str(p['mobile']) ? { phone: str(p['phone']) ?? str(p['mobile']) } : null],
      ['Address', street || str(p['city']) ? {
        street_address: street, supplemental_address_1: str(p['address2']), city: str(p['city']), postal_code: str(p['postal_code']),
        ...(str(p['country']) ? { 'country_id:name': str(p['country']) } : {}),
      } : null],
    ];
    for (const [entity, loc] of locations) {
      if (!loc) continue;
      await refusedOr(() => upsert(entity, [['contact_id', '=', contactId], ['is_primary', '=', true]], { ...loc, contact_id: contactId, is_primary: true, 'location_type_id:name': 'Home' }));
    }
    if (!opts.loans) continue;
    const loans = [
      ...(await kohaList('/checkouts', { patron_id: String(p['patron_id']) })),
      ...(await kohaList('/checkouts', { patron_id: String(p['patron_id']), checked_in: 'true' })),
    ];
    for (const c of loans) {
      const loanId = `koha:checkout:${String(c['checkout_id'])}`;
      const returned = str(c['checkin_date']);
      const activity: Rec = {
        'activity_type_id:name': 'Library_Loan',
        subject: `Library loan (${String(c['library_id'] ?? '')})`,
        activity_date_time: dateTime(c['checkout_date']),
        'status_id:name': returned ? 'Completed' : 'Scheduled',
        source_contact_id: libraryContact,
        target_contact_id: [contactId],
        'Library_Loan.Loan_ID': loanId,
        'Library_Loan.Due_Date': dateOf(c['due_date']),
        'Library_Loan.Return_Date': dateOf(returned),
        'Library_Loan.Branch': c['library_id'] ?? null,
      };
      const saved = await refusedOr(() => upsert('Activity', [['Library_Loan.Loan_ID', '=', loanId]], activity));
      if (!saved) continue;
      if (saved[1]) out.activitiesCreated++;
      else out.activitiesUpdated++;
      out.loans++;
    }
  }
  out.wallMs = performance.now() - t0;
  return out;
}

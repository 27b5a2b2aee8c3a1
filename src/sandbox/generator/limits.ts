/**
 * Values at and over CiviCRM's column lengths (contracts/civicrm/schema: Contact first_name and
 * last_name 64, Email.email 254, Phone.phone 32, Address street_address 96, city 64). Lengths
 * count characters, as MySQL's utf8mb4 varchar does.
 */
import type { Rng } from './prng.js';

export const CIVICRM_LIMITS = {
  first_name: 64, last_name: 64, email: 254, phone: 32, street_address: 96, city: 64, postal_code: 64,
} as const;

const WORDS = ['Maria', 'Magdalena', 'Théodora', 'Konstantina', 'Alexandrína', 'Wilhelmina', 'Józefa',
  'Philippa', 'Bartholomäus', 'Ægidius', 'Leopoldine', 'Françoise'];

/** A name-like string of exactly `length` characters. */
export function nameOfLength(length: number, rng: Rng, sep = ' '): string {
  let out = rng.pick(WORDS);
  while ([...out].length < length) out += sep + rng.pick(WORDS);
  const chars = [...out].slice(0, length);
  if (chars[length - 1] === sep) chars[length - 1] = 'a';
  return chars.join('');
}

/** An address-shaped string of exactly `length` characters. */
export function addressOfLength(length: number, rng: Rng): string {
  const base = `${rng.int(1, 299)} ${nameOfLength(Math.max(10, length - 30), rng)} Boulevard, Bâtiment C, Escalier 4`;
  const padded = base.length >= length ? base : base + ', Appartement'.padEnd(length - base.length, ' 7');
  return [...padded].slice(0, length).join('').replace(/\s$/, 'x');
}

/** A syntactically valid-looking email of exactly `length` characters (local part ≤ 64). */
export function emailOfLength(length: number, rng: Rng): string {
  const local = `patron.${rng.int(1000, 9999)}.`.padEnd(64, 'x');
  const tail = '.example.org';
  let rest = length - local.length - 1 - tail.length;
  const parts: string[] = [];
  while (rest > 63) {
    // Never leave exactly one dot and nothing after it (an empty label).
    const take = rest - 64 === 0 ? 62 : 63;
    parts.push('d'.repeat(take));
    rest -= take + 1;
  }
  parts.push('d'.repeat(rest));
  return `${local}@${parts.join('.')}${tail}`;
}

/** A phone string of exactly `length` characters (an extension and notes, as staff type them). */
export function phoneOfLength(length: number, rng: Rng): string {
  const base = `+44 161 496 0${rng.int(100, 999)} ext. `;
  const text = length > base.length + 10 ? `${base}12 (evenings) / 07700 900${rng.int(100, 999)}` : base;
  return text.padEnd(length, '4').slice(0, length);
}

export const LONG_CITY = 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch, Ynys Môn, Cymru';

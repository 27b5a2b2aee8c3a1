/** Libraries and patron categories of the generated Koha (small, fixed, realistic). */
import type { KohaCategory, KohaLibrary } from '../koha/types.js';

const library = (library_id: string, name: string, city: string, postal_code: string, country: string): KohaLibrary => ({
  library_id, name, address1: null, address2: null, address3: null, postal_code, city, state: null, country,
  phone: null, fax: null, email: `${library_id.toLowerCase()}@library.example.org`, url: null, notes: null,
  pickup_location: true, public: true,
});

export const LIBRARIES: readonly KohaLibrary[] = [
  library('CPL', 'Centerville Public Library', 'Centerville', '62701', 'USA'),
  library('MAIN', 'Médiathèque centrale', 'Lyon', '69003', 'France'),
  library('NORTH', 'North Branch', 'Manchester', 'M1 1AE', 'United Kingdom'),
  library('STADTBIB', 'Stadtbibliothek Mitte', 'Berlin', '10115', 'Deutschland'),
  library('MOBILE1', 'Bookmobile', 'Lyon', '69003', 'FR'),
];

const category = (
  patron_category_id: string, name: string, category_type: string, upper_age_limit: number | null,
  default_privacy: KohaCategory['default_privacy'],
): KohaCategory => ({
  patron_category_id, name, category_type, enrolment_period: 12, upper_age_limit, default_privacy,
  can_be_guarantee: category_type === 'C',
});

export const CATEGORIES: readonly KohaCategory[] = [
  category('ADULT', 'Adult', 'A', null, 'default'),
  category('CHILD', 'Child', 'C', 17, 'default'),
  category('STAFF', 'Staff', 'S', null, 'forever'),
  category('SENIOR', 'Senior', 'A', null, 'default'),
  category('STUDENT', 'Student', 'A', null, 'never'),
];

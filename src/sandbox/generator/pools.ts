/**
 * Value pools for generated patrons. All contact data is fictional: example.* mail domains,
 * reserved phone ranges (UK 07700 900xxx, US 555-01xx, FR 01 99 00 xx xx).
 */

export type NameStyle = 'plain' | 'accented' | 'apostrophe' | 'cjk' | 'rtl' | 'emoji';

export interface NamePool {
  first: readonly string[];
  last: readonly string[];
}

export const NAMES: Readonly<Record<NameStyle, NamePool>> = {
  plain: {
    first: ['James', 'Mary', 'Anna', 'Peter', 'Laura', 'Thomas', 'Emma', 'Lucas', 'Sarah', 'David', 'Julia',
      'Martin', 'Claire', 'Paul', 'Sophie', 'Ben', 'Hannah', 'Jonas', 'Alice', 'Hugo'],
    last: ['Smith', 'Martin', 'Müller', 'Johnson', 'Bernard', 'Schmidt', 'Brown', 'Dubois', 'Wilson', 'Fischer',
      'Taylor', 'Moreau', 'Weber', 'Clarke', 'Laurent', 'Becker', 'Evans', 'Garcia', 'Walker', 'Wagner'],
  },
  accented: {
    first: ['Zoë', 'Chloé', 'Jérôme', 'Søren', 'Björn', 'Agnès', 'François', 'Łucja', 'Ångström', 'Noémie',
      'İlkay', 'Dvořák'],
    last: ['Ñúñez', 'Müller-Lüdenscheidt', 'Górski', 'Ødegård', 'Čapek', 'Lefèvre', 'Håkansson', 'Ibáñez',
      'Schröder', 'Þórsdóttir'],
  },
  apostrophe: {
    first: ["D'Arcy", "Ren'ee", 'Siobhán', "Jo'Anne", 'Seán'],
    last: ["O'Brien", "d'Artagnan", "O'Neill", "D'Souza", "N'Diaye", "Dell'Acqua", "L'Hôte"],
  },
  cjk: {
    first: ['小龙', '美玲', '健', '陽子', '민준', '翔太'],
    last: ['李', '王', '张', '佐藤', '김', '山田'],
  },
  rtl: {
    first: ['محمد', 'فاطمة', 'يوسف', 'אברהם', 'שרה', 'נועה'],
    last: ['العلي', 'حداد', 'الخطيب', 'כהן', 'לוי', 'מזרחי'],
  },
  emoji: {
    first: ['Anna 🌸', 'Max 🚀', '😀 Lea', 'Tom 👍🏽'],
    last: ['Sonne ☀️', 'Smith 📚', 'Dubois 🌳', 'Family 👨‍👩‍👧'],
  },
};

export interface Locality {
  city: string;
  postalCodes: readonly string[];
  streets: readonly string[];
  /** The ways staff have typed this country into Koha over the years ('' = left blank). */
  countries: readonly string[];
  phone: () => string;
}

const two = (n: number): string => String(n % 100).padStart(2, '0');

export function localities(int: (min: number, max: number) => number): readonly Locality[] {
  const fr = (): string => `01 99 00 ${two(int(0, 99))} ${two(int(0, 99))}`;
  const gb = (): string => `07700 900${String(int(0, 999)).padStart(3, '0')}`;
  const de = (): string => `+49 30 ${int(1000000, 9999999)}`;
  const us = (): string => `(217) 555-01${two(int(0, 99))}`;
  return [
    { city: 'Lyon', postalCodes: ['69001', '69003', '69007'], streets: ['rue de la République', 'avenue Jean Jaurès', "quai Saint-Antoine"], countries: ['France', 'FR', 'france', ''], phone: fr },
    { city: 'Paris', postalCodes: ['75011', '75018'], streets: ['rue Oberkampf', 'boulevard Voltaire'], countries: ['France', 'FR', 'FRANCE'], phone: fr },
    { city: 'Manchester', postalCodes: ['M1 1AE', 'M14 5RR'], streets: ['Oxford Road', 'Deansgate'], countries: ['United Kingdom', 'UK', 'GB', 'England'], phone: gb },
    { city: 'London', postalCodes: ['SW1A 1AA', 'E1 6AN'], streets: ['Brick Lane', 'Baker Street'], countries: ['United Kingdom', 'Great Britain', 'UK'], phone: gb },
    { city: 'Berlin', postalCodes: ['10115', '10997'], streets: ['Invalidenstraße', 'Oranienstraße'], countries: ['Deutschland', 'Germany', 'DE'], phone: de },
    { city: 'München', postalCodes: ['80331'], streets: ['Schillerstraße'], countries: ['Deutschland', 'DE'], phone: de },
    { city: 'Springfield', postalCodes: ['62701', '62704-1234'], streets: ['Main St', 'Elm Street'], countries: ['USA', 'United States', 'US', ''], phone: us },
  ];
}

/** Country values that are names (vs ISO codes or blank), for trait labelling. */
export const COUNTRY_CODES = new Set(['FR', 'UK', 'GB', 'DE', 'US']);

export const MAIL_DOMAINS = ['example.org', 'example.net', 'example.com', 'mail.example.org'];

export const EXTENDED_ATTRIBUTE_TYPES = ['STUDENTID', 'NEWSLETTER', 'SCHOOL'] as const;

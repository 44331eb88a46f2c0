/** The accounts of the simulated Box: one admin, co-admins, users, and one personal account. */
import { idOf } from './ids';
import { hash32 } from './random';

/** Enterprise roles, as Box names them. */
export const ROLES = ['admin', 'coadmin', 'user'] as const;
/** One enterprise role. */
export type Role = (typeof ROLES)[number];

/** A user of the simulated Box. */
export interface SimUser {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly login: string;
  readonly role: Role;
  /** False for the one personal (non-enterprise) account. */
  readonly inEnterprise: boolean;
  readonly createdAt: number;
}

export const FIRST_NAMES = [
  'Alice',
  'Bruno',
  'Chloe',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Keiko',
  'Liam',
  'Maya',
  'Nikhil',
  'Olivia',
  'Pablo',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
  'Umar',
  'Vera',
  'Wen',
  'Xavier',
  'Yara',
  'Zoe',
] as const;
export const LAST_NAMES = [
  'Martin',
  'Okafor',
  'Lindqvist',
  'Nakamura',
  'Rossi',
  'Haddad',
  'Kowalski',
  'Moreau',
  'Santos',
  'Fischer',
  'Brennan',
  'Singh',
  'Novak',
  'Duarte',
  'Weber',
  'Park',
] as const;
/** The email domain of the simulated enterprise. */
export const ENTERPRISE_DOMAIN = 'northwind-sim.example';
const DAY_S = 86_400;

/** Generates the accounts: index 0 is the admin, then co-admins (one in ten), users, and last the personal account. */
export function generateUsers(seed: number, count: number, now: number): SimUser[] {
  const coadmins = Math.max(1, Math.floor(count / 10));
  const users: SimUser[] = [];
  const used = new Set<string>();
  for (let i = 0; i <= count; i++) {
    const personal = i === count;
    let first: string = FIRST_NAMES[hash32(seed, 50, i) % FIRST_NAMES.length]!;
    let last: string = LAST_NAMES[hash32(seed, 51, i) % LAST_NAMES.length]!;
    if (i === 0) [first, last] = ['Ada', 'Admin'];
    let login = personal
      ? `${first}.${last}@personal-mail.example`.toLowerCase()
      : `${first}.${last}@${ENTERPRISE_DOMAIN}`.toLowerCase();
    for (let n = 2; used.has(login); n++) login = login.replace(/(\d*)@/, `${n}@`);
    used.add(login);
    users.push({
      index: i,
      id: idOf('user', i),
      name: `${first} ${last}`,
      login,
      role: i === 0 ? 'admin' : i <= coadmins && !personal ? 'coadmin' : 'user',
      inEnterprise: !personal,
      createdAt: now - 400 * DAY_S - (hash32(seed, 52, i) % (300 * DAY_S)),
    });
  }
  return users;
}

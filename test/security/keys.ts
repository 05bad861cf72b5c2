/**
 * API keys for the security tests (test values, not secrets): one key per scope, one with every scope,
 * and one given as its SHA-256 hash.
 */
import { createHash } from 'node:crypto';

export const KEYS = {
  reader: 'rk_test_reader_0123456789abcdefghij',
  aligner: 'rk_test_aligner_0123456789abcdefghi',
  admin: 'rk_test_admin_0123456789abcdefghijk',
  all: 'rk_test_all_scopes_0123456789abcdefg',
  hashed: 'rk_test_hashed_0123456789abcdefghij',
} as const;

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export const KEY_ENTRIES = [
  { name: 'reader', key: KEYS.reader, scopes: ['read'] },
  { name: 'aligner', key: KEYS.aligner, scopes: ['align'] },
  { name: 'admin', key: KEYS.admin, scopes: ['admin'] },
  { name: 'all', key: KEYS.all, scopes: ['read', 'align', 'admin'] },
  { name: 'hashed', key: `sha256:${sha256(KEYS.hashed)}`, scopes: ['read'] },
];

export const API_KEYS = JSON.stringify(KEY_ENTRIES);

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

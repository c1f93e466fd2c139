// Turns a failed request into a sentence in the user's language from the
// server's stable error code (server/http: error.code). The server's own
// message is English: it is added only for an English reader, and only for
// the codes whose message names what to correct. An unknown code gets the
// general sentence, never raw server text.
import type { TFunction } from 'i18next';
import { ApiError } from '../api';
import i18n from '../i18n';

const DETAILED = new Set(['invalid_argument', 'conflict', 'wrong_state', 'locked']);

export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    const known = t(`error_${e.code}`, { ns: 'translation', defaultValue: '' });
    if (!known) return t('error_unknown', { ns: 'translation' });
    return i18n.language === 'en' && DETAILED.has(e.code) && e.message ? `${known}: ${e.message}` : known;
  }
  return t('error_network', { ns: 'translation' });
}

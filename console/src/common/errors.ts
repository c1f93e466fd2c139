// Turns a failed request into a sentence in the user's language: known error
// codes have their own text; otherwise the server's message is shown as is.
import type { TFunction } from 'i18next';
import { ApiError } from '../api';

export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    const key = `error_${e.code}`;
    const known = t(key, { defaultValue: '' });
    if (known) return e.code === 'invalid_argument' || e.code === 'conflict' ? `${known}：${e.message}` : known;
    return e.message || t('error_unknown');
  }
  return t('error_network');
}

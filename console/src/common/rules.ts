// Form rules shared by the console's forms, each mirroring the server's check
// so a mistake is caught before sending and explained in the user's language.
// The server checks everything again.
import type { TFunction } from 'i18next';
import type { Rule } from 'antd/es/form';

export const REASON_MAX = 500;

export function reasonRules(t: TFunction): Rule[] {
  return [
    { required: true, whitespace: true, message: t('reasonRequired') },
    { max: REASON_MAX, message: t('tooLong', { max: REASON_MAX }) },
  ];
}

// "HH:MM", 00:00-23:59 (maintenance windows).
export function timeOfDayRules(t: TFunction): Rule[] {
  return [{ required: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: t('timeOfDayInvalid') }];
}

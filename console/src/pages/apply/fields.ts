// The application form's checks, field by field: the same rules as the
// server's check_application (domain/onboarding.cc), each answering the
// server's flaw name, and the message for a flaw in the user's language.
import type { TFunction } from 'i18next';
import type { Rule } from 'antd/es/form';
import {
  checkCard,
  checkCreditCode,
  checkMobile,
  checkResidentId,
  isUnderage,
  todayYyyymmdd,
  utf8Length,
} from '../../common/identityNumbers';

export type Field =
  | 'kind'
  | 'legal_name'
  | 'resident_id'
  | 'business_name'
  | 'credit_code'
  | 'phone'
  | 'card'
  | 'bank'
  | 'address'
  | 'model';

// Text limits in UTF-8 bytes, as the server counts them.
const TEXT: Partial<Record<Field, [number, number]>> = {
  legal_name: [2, 150],
  business_name: [2, 300],
  bank: [2, 150],
  address: [5, 600],
};

function textFlaw(v: string, [min, max]: [number, number]): string {
  const n = utf8Length(v.trim());
  if (n === 0) return 'required';
  if (n < min) return 'too_short';
  if (n > max) return 'too_long';
  return 'ok';
}

// Why `value` is refused for `field`, or 'ok'.
export function fieldFlaw(field: Field, value: string | undefined, today = todayYyyymmdd()): string {
  const v = (value ?? '').trim();
  const limits = TEXT[field];
  if (limits) return textFlaw(v, limits);
  if (!v) return 'required';
  switch (field) {
    case 'resident_id': {
      const id = v.toUpperCase();
      const f = checkResidentId(id, today);
      if (f !== 'ok') return f;
      return isUnderage(id, today) ? 'underage' : 'ok';
    }
    case 'credit_code':
      return checkCreditCode(v.toUpperCase());
    case 'phone':
      return checkMobile(v);
    case 'card':
      return checkCard(v);
    default:
      return 'ok';
  }
}

// The sentence for a flaw of a field (also for the server's answers).
export function flawText(ta: TFunction, field: string, flaw: string): string {
  return ta(`${field}_${flaw}`, { defaultValue: ta('field_unknown') });
}

// One antd rule per field: the first flaw, in the user's language.
export function fieldRules(ta: TFunction, field: Field): Rule[] {
  return [
    {
      validator: (_, value: string | undefined) => {
        const flaw = fieldFlaw(field, value);
        return flaw === 'ok' ? Promise.resolve() : Promise.reject(new Error(flawText(ta, field, flaw)));
      },
    },
  ];
}

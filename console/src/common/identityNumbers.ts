// Format checks for the numbers an applicant types — the same rules and the
// same flaw names as the server's (core/identity_numbers.cc), so the form can
// say what is wrong before sending and the server's answer maps onto the same
// messages: resident ID (GB 11643), unified social credit code (GB 32100),
// mainland mobile number, bank card (Luhn). They say whether a number is well
// formed, never whether it belongs to the person. Pure functions.

// 'ok' or why a number is refused (the server's stable names).
export type Flaw = 'ok' | 'length' | 'characters' | 'check_character' | 'birth_date' | 'region' | 'prefix';

const isDigits = (s: string) => /^[0-9]+$/.test(s);

function realDate(y: number, m: number, d: number): boolean {
  const days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= days[m - 1] + (m === 2 && leap ? 1 : 0);
}

// Province-level codes of GB/T 2260 (the first two digits of a resident ID).
function mainlandRegion(two: number): boolean {
  switch (Math.floor(two / 10)) {
    case 1: return two >= 11 && two <= 15;
    case 2: return two >= 21 && two <= 23;
    case 3: return two >= 31 && two <= 37;
    case 4: return two >= 41 && two <= 46;
    case 5: return two >= 50 && two <= 54;
    case 6: return two >= 61 && two <= 65;
    case 7: return two === 71;
    case 8: return two === 81 || two === 82;
  }
  return false;
}

// Today as YYYYMMDD in UTC, as the server counts it.
export function todayYyyymmdd(now = new Date()): number {
  return now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate();
}

// GB 11643-1999: 17 digits and a check character (0-9 or X, any case); digits
// 7-14 are the birth date, real, from 1900 on and not after `today`.
export function checkResidentId(id: string, today: number): Flaw {
  if (id.length !== 18) return 'length';
  if (!isDigits(id.slice(0, 17))) return 'characters';
  const last = id[17].toUpperCase();
  if (!/^[0-9X]$/.test(last)) return 'characters';
  if (!mainlandRegion(Number(id.slice(0, 2)))) return 'region';
  const y = Number(id.slice(6, 10)), m = Number(id.slice(10, 12)), d = Number(id.slice(12, 14));
  if (y < 1900 || !realDate(y, m, d) || y * 10000 + m * 100 + d > today) return 'birth_date';
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * weights[i];
  return '10X98765432'[sum % 11] === last ? 'ok' : 'check_character';
}

// An applicant must be 18 or older on `today` (a well-formed ID assumed).
export function isUnderage(id: string, today: number): boolean {
  return Number(id.slice(6, 14)) + 180000 > today;
}

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

// GB 32100-2015: 18 characters of 0-9 and A-Y without I, O, S, V, Z; the last
// is the check character (mod 31).
export function checkCreditCode(code: string): Flaw {
  if (code.length !== 18) return 'length';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const value: number[] = [];
  for (const ch of code.toUpperCase()) {
    const pos = CREDIT_CHARS.indexOf(ch);
    if (pos < 0) return 'characters';
    value.push(pos);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += value[i] * weights[i];
  return value[17] === (31 - (sum % 31)) % 31 ? 'ok' : 'check_character';
}

// `s` without spaces and hyphens (how people write card and phone numbers).
export function normalizeDigits(s: string): string {
  return s.replace(/[ -]/g, '');
}

// The 11 digits of a mainland mobile number, without +86 / 0086.
export function mobileDigits(phone: string): string {
  const p = normalizeDigits(phone);
  if (p.startsWith('+86')) return p.slice(3);
  if (p.startsWith('0086')) return p.slice(4);
  return p;
}

// A mainland mobile number: 11 digits starting 13-19, optionally after +86.
export function checkMobile(phone: string): Flaw {
  const v = mobileDigits(phone);
  if (!isDigits(v)) return 'characters';
  if (v.length !== 11) return 'length';
  return v[0] === '1' && v[1] >= '3' && v[1] <= '9' ? 'ok' : 'prefix';
}

// A bank card number: 12-19 digits passing the Luhn check.
export function checkCard(card: string): Flaw {
  const c = normalizeDigits(card);
  if (!isDigits(c)) return 'characters';
  if (c.length < 12 || c.length > 19) return 'length';
  let sum = 0;
  for (let i = 0; i < c.length; i++) {
    let d = Number(c[c.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0 ? 'ok' : 'check_character';
}

// A card number as typed, grouped in fours: "6228 4804 0256 4890 018".
export function groupCard(card: string): string {
  const digits = card.replace(/[^0-9]/g, '').slice(0, 19);
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

// Bytes of `s` in UTF-8: the server's text limits count bytes (a Chinese character is 3).
export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

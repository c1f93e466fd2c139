// The console's format checks against the same vectors as the server's
// (core/identity_numbers_test.cc): each valid number and each flaw by name.
import { describe, expect, it } from 'vitest';
import {
  checkCard,
  checkCreditCode,
  checkMobile,
  checkResidentId,
  Flaw,
  groupCard,
  isUnderage,
  todayYyyymmdd,
  utf8Length,
} from './identityNumbers';

const TODAY = 20261124;

describe('resident ID (GB 11643)', () => {
  const cases: [string, Flaw][] = [
    ['11010519491231002X', 'ok'], // the standard's own example
    ['11010519491231002x', 'ok'], // a lower-case x is the same
    ['440524188001010014', 'birth_date'], // born 1880: not plausible
    ['110101199003074477', 'ok'],
    ['110101199003074478', 'check_character'], // one typo in the check
    ['110101199003074447', 'check_character'], // two digits swapped
    ['11010519491231002', 'length'],
    ['11010519491231002XX', 'length'],
    ['1101051949123100AX', 'characters'],
    ['11010519491231002Y', 'characters'],
    ['990105194912310023', 'region'],
    ['110105194902300021', 'birth_date'], // 30 February
    ['110105203001010023', 'birth_date'], // born in the future
    ['110105200002290021', 'ok'], // 2000 was a leap year
    ['110105190002290027', 'birth_date'], // 1900 was not
    ['', 'length'],
  ];
  it.each(cases)('%s → %s', (id, want) => expect(checkResidentId(id, TODAY)).toBe(want));

  it('counts 18 years to the day', () => {
    expect(isUnderage('110101200811240000', TODAY)).toBe(false); // 18 today
    expect(isUnderage('110101200811250000', TODAY)).toBe(true); // 18 tomorrow
    expect(isUnderage('110101199003074477', TODAY)).toBe(false);
  });

  it('takes today in UTC, as the server does', () => {
    expect(todayYyyymmdd(new Date('2026-11-24T23:30:00Z'))).toBe(20261124);
  });
});

describe('unified social credit code (GB 32100)', () => {
  const cases: [string, Flaw][] = [
    ['91350100M000100Y43', 'ok'],
    ['91110000600037341L', 'ok'],
    ['91110000600037341l', 'ok'],
    ['911100001000079554', 'ok'],
    ['911100001000079555', 'check_character'],
    ['91350100M000100Y4', 'length'],
    ['91350100M000100I43', 'characters'], // I is never used
    ['91350100M0001O0Y43', 'characters'], // nor O
    ['91350100M000100Y4Z', 'characters'],
  ];
  it.each(cases)('%s → %s', (code, want) => expect(checkCreditCode(code)).toBe(want));
});

describe('mainland mobile number', () => {
  const cases: [string, Flaw][] = [
    ['13800138000', 'ok'],
    ['+8613800138000', 'ok'],
    ['138 0013 8000', 'ok'],
    ['138-0013-8000', 'ok'],
    ['0086 19912345678', 'ok'],
    ['12800138000', 'prefix'],
    ['23800138000', 'prefix'],
    ['1380013800', 'length'],
    ['138001380001', 'length'],
    ['1380013800a', 'characters'],
    ['', 'characters'],
  ];
  it.each(cases)('%s → %s', (phone, want) => expect(checkMobile(phone)).toBe(want));
});

describe('bank card (Luhn)', () => {
  const cases: [string, Flaw][] = [
    ['6228480402564890018', 'ok'], // 19 digits
    ['4111111111111111', 'ok'],
    ['4111 1111 1111 1111', 'ok'],
    ['4111111111111112', 'check_character'],
    ['6228480402564890081', 'check_character'], // last two swapped
    ['41111111111', 'length'],
    ['62284804025648900180', 'length'],
    ['4111-1111-1111-111a', 'characters'],
  ];
  it.each(cases)('%s → %s', (card, want) => expect(checkCard(card)).toBe(want));

  it('groups a card number in fours as it is typed', () => {
    expect(groupCard('6228480402564890018')).toBe('6228 4804 0256 4890 018');
    expect(groupCard('6228 48')).toBe('6228 48');
    expect(groupCard('4111')).toBe('4111');
    expect(groupCard('')).toBe('');
  });
});

it('counts text in UTF-8 bytes, as the server limits it', () => {
  expect(utf8Length('张三')).toBe(6);
  expect(utf8Length('ab')).toBe(2);
});

// The password policy, as the console checks it before sending: the mirror of the server's
// check_password (server/domain/accounts.cc, kPasswordMinChars/kPasswordMaxChars in
// core/limits.h, kCommonPasswords) — the same rules in the same order, counted in characters.
// Change both together; the server checks everything again. Every form that sets a password
// takes its rule from here (pages/users/UserForm.tsx).
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
// The server's list (kCommonPasswords), compared in lower case.
const COMMON = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456789123', 'password1234',
  'password12345', 'passwordpassword', 'password123456', 'qwertyuiop12', 'qwertyuiopasdf',
  'qwerty123456', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'administrator', 'administrator1',
  'iloveyou1234', 'welcome12345', 'changeme1234', 'letmein12345', 'abcdefghijkl',
  'abc123456789', '111111111111', '000000000000', '123123123123', 'asdfghjkl123',
  'zxcvbnm12345', 'superman1234', 'football1234', 'baseball1234', 'posfleet1234',
  'posfleetadmin', 'admin1234567', 'admin123456789', 'p@ssw0rd1234', 'passw0rd1234',
  'woaini1314520', '5201314520', '1314520520', 'aa123456789a', 'qazwsxedcrfv',
]);
const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

// The key (users strings) of the rule `password` breaks for user `name`, or ''.
export function passwordProblem(password: string, name: string): string {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(password)) return 'passwordInvalid';
  const chars = [...password]; // characters, not UTF-16 units
  if (chars.length < PASSWORD_MIN) return 'passwordRule';
  if (chars.length > PASSWORD_MAX) return 'passwordTooLong';
  const lower = lowerAscii(password);
  if (name && lower === lowerAscii(name)) return 'passwordIsName';
  if (COMMON.has(lower)) return 'passwordCommon';
  if (chars.every((c) => c === chars[0])) return 'passwordRepeated';
  return '';
}

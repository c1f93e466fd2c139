// The console's password rule against the server's (check_password in server/domain/accounts.cc,
// tested in accounts_totp_test.cc): the same verdicts, counted in characters.
import { describe, expect, it } from 'vitest';
import { passwordProblem } from './passwords';

describe('password policy', () => {
  it('applies the same rules as the server, in characters', () => {
    expect(passwordProblem('correct horse battery', 'amy')).toBe('');
    expect(passwordProblem('密码要足够长一点才能安全使用', 'amy')).toBe('');
    expect(passwordProblem('密码太短了不行的', 'amy')).toBe('passwordRule');
    expect(passwordProblem('elevenchars', 'amy')).toBe('passwordRule');
    expect(passwordProblem('x'.repeat(127) + 'y', 'amy')).toBe('');
    expect(passwordProblem('x'.repeat(129) + 'y', 'amy')).toBe('passwordTooLong');
    expect(passwordProblem('Administrator', 'administrator')).toBe('passwordIsName');
    expect(passwordProblem('PASSWORD1234', 'amy')).toBe('passwordCommon');
    expect(passwordProblem('aaaaaaaaaaaaaa', 'amy')).toBe('passwordRepeated');
    expect(passwordProblem('张'.repeat(12), 'amy')).toBe('passwordRepeated');
    expect(passwordProblem('😀'.repeat(12), 'amy')).toBe('passwordRepeated');
    expect(passwordProblem('valid start \uD800 here', 'amy')).toBe('passwordInvalid');
  });
});

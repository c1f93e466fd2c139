// Browser test: two-step verification (TOTP) in the console. An administrator
// turns on "administrators must use two-step verification" on the users page
// and is at once sent to set it up: a QR code and the key, shown once; the
// code computed here (RFC 6238, independently of the server) finishes it.
// Logging in then asks for the code after the password; a code used once is
// refused the second time, in Chinese and in English. The audit page shows
// each entry's client address and the CLI's token under its own name.
// Run by ctest (label browser) with POSFLEETD and POSFLEET_CLI set.
import { createHmac } from 'node:crypto';
import { ADMIN_PASSWORD, Suite } from './lib.mjs';

// RFC 6238: HMAC-SHA-1 over the 30-second step, 6 digits.
function totp(base32, stepOffset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + stepOffset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

await new Suite('two_factor').run(async (s) => {
  await s.startServer();
  s.cli('policy', 'set', '--mode', 'manual', '--reason', 'a change by the CLI token');
  const page = await s.page();
  await s.login(page);

  // The setting, then the set-up it demands before anything else.
  await page.getByTestId('nav-users').click();
  await page.getByTestId('totp-required-switch').click();
  await s.waitFor('the setting to be saved', async () => (await s.api('GET', '/settings/accounts')).body.totp_required_for_admins);
  await page.getByTestId('nav-overview').click();
  await page.getByTestId('totp-required').waitFor();
  s.check(!(await page.getByTestId('nav').count()), 'an administrator without TOTP sees only the set-up');
  await page.getByTestId('totp-start').click();
  await page.getByTestId('totp-qr').waitFor();
  const secret = (await page.getByTestId('totp-secret').textContent()).trim();
  s.check(/^[A-Z2-7]{32}$/.test(secret), `the key is shown as base32 (${secret.length} characters)`);
  await s.shot(page, 'totp-setup');
  await page.getByTestId('totp-code').fill(totp(secret));
  await page.getByTestId('totp-confirm').click();
  await page.getByTestId('nav').waitFor();
  s.check(true, 'with TOTP set up the back office opens');

  // Logging in asks for the code after the password; the code works once.
  await page.getByTestId('logout').click();
  await page.getByTestId('login-name').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-code').waitFor();
  await s.shot(page, 'login-code');
  const code = totp(secret, 1); // the set-up used this step's code
  await page.getByTestId('login-code').fill(code);
  await page.getByTestId('login-code-submit').click();
  await page.getByTestId('me').waitFor();
  s.check(true, 'password and code log in');

  // The audit page: the client's address on each entry, the token under its own name.
  await page.getByTestId('nav-audit').click();
  await s.expectText(page.getByTestId('audit-table'), '127.0.0.1', 'the audit page shows the client address');
  await s.expectText(page.getByTestId('audit-token-actor').first(), 'admin', 'the CLI token shows as a token, by its name');
  await s.shot(page, 'audit-address');

  // The same code again: refused, in English; an older one too, in Chinese.
  await page.getByTestId('logout').click();
  await page.getByTestId('lang').click(); // English
  await page.getByTestId('login-name').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-code').fill(code);
  await page.getByTestId('login-code-submit').click();
  await s.expectText(page.getByTestId('login-error'), 'The code is wrong or was used already',
                     'a replayed code is refused, in English');
  await page.getByTestId('lang').click(); // back to Chinese
  await page.getByTestId('login-code').fill(totp(secret, -1));
  await page.getByTestId('login-code-submit').click();
  await s.expectText(page.getByTestId('login-error'), '验证码错误或已使用过', 'an older code is refused too, in Chinese');
  s.check(!(await page.getByTestId('me').count()), 'still not logged in');
});

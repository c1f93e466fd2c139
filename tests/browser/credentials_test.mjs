// Browser test: an administrator ends credentials from the console. On the
// users page the API tokens show name, role, created and last used (never the
// token); revoking one asks first and the token is refused from its next
// request. On a terminal's page 退役 / Retire asks for a reason and a
// confirmation; then the running agent's token is refused, the page and the
// list show the terminal as retired, in Chinese and in English. Roles that may
// not retire see no button. Every check waits for its condition.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { readFileSync } from 'node:fs';
import { Suite } from './lib.mjs';

await new Suite('credentials').run(async (s) => {
  await s.startServer();
  const agent = await s.startAgent('CREDB0001');
  const agentToken = JSON.parse(readFileSync(agent.config, 'utf8')).token;
  const poll = async () =>
    (await fetch(`${s.url}/DEFAULT/controller/v1/CREDB0001`, { headers: { Authorization: `TargetToken ${agentToken}` } }))
      .status;
  await s.waitFor('the agent to poll', async () => (await s.api('GET', '/terminals/CREDB0001')).body.last_seen);
  const made = s.cli('--json', 'token', 'create', '--name', 'ci-script', '--role', 'release_manager');

  // API tokens: listed without the token; last use appears; revoke with a confirmation.
  const page = await s.page();
  await s.login(page);
  await page.goto(`${s.url}/users`);
  const status = page.getByTestId(`token-status-${made.id}`);
  await status.waitFor();
  const tokensText = await page.getByTestId('tokens').textContent();
  s.check(tokensText.includes('ci-script') && tokensText.includes('从未'), 'the new token is listed, never used yet');
  s.check(!(await page.content()).includes(made.token), 'the token itself is nowhere on the page');
  s.check((await s.api('GET', '/releases', undefined, made.token)).status === 200, 'the token works before revocation');
  await s.waitFor('its last use to show', async () => {
    await page.reload();
    await status.waitFor();
    const row = await page.getByTestId('tokens-table').locator('tr', { hasText: 'ci-script' }).textContent();
    return !row.includes('从未');
  });
  await page.getByTestId(`token-revoke-${made.id}`).click();
  await page.getByTestId(`token-revoke-ok-${made.id}`).click();
  await s.waitFor('the token to show as revoked', async () => (await status.textContent()).includes('已吊销'));
  s.check(true, 'after confirming, the token shows as 已吊销');
  const refused = await s.api('GET', '/releases', undefined, made.token);
  s.check(refused.status === 401, `the revoked token is refused on its next request (${refused.status})`);
  s.check((await page.getByTestId(`token-revoke-${made.id}`).count()) === 0, 'a revoked token offers no revoke button');
  await s.shot(page, 'tokens');

  // Retirement: a reason is required, then the agent's token is refused.
  await page.goto(`${s.url}/terminals/CREDB0001`);
  await page.getByTestId('retire').click();
  await page.getByTestId('retire-reason').waitFor();  // the dialog is open
  await page.getByTestId('retire-ok').click();
  await page.getByText('请填写退役原因').waitFor();
  s.check((await s.api('GET', '/terminals/CREDB0001')).body.retired === null, 'without a reason nothing is retired');
  await page.getByTestId('retire-reason').fill('设备丢失');
  await page.getByTestId('retire-ok').click();
  await page.getByTestId('detail-retired').waitFor();
  await page.getByTestId('retired-note').waitFor();
  s.check((await page.getByTestId('retired-note').textContent()).includes('设备丢失'), 'the page says retired, and why');
  s.check((await page.getByTestId('retire').count()) === 0, 'a retired terminal offers no retire button');
  await s.waitFor("the agent's token to be refused", async () => (await poll()) === 401);
  s.check(true, "the retired terminal's token is refused (401)");
  const audit = (await s.api('GET', '/audit?limit=200')).body.entries.map((e) => e.action);
  s.check(audit.includes('terminal.retire') && audit.includes('token.revoke'), 'both are in the audit log');
  await s.shot(page, 'retired-zh');

  await page.getByTestId('lang').click();
  await page.getByText('This terminal was retired on').waitFor();
  s.check(true, 'the retired note reads in English too');
  await page.goto(`${s.url}/terminals`);
  await page.getByTestId('retired-CREDB0001').waitFor();
  s.check((await page.getByTestId('retired-CREDB0001').textContent()) === 'Retired', 'the list shows it as Retired');
  await s.shot(page, 'retired-list-en');
  await page.context().close();

  // A release manager sees the terminal page without the retire button.
  s.cli('terminal', 'register', '--serial', 'CREDB0002', '--model', 'A920');
  const password = await s.user('rm', 'release_manager');
  const rm = await s.page();
  await s.login(rm, 'rm', password);
  await rm.goto(`${s.url}/terminals/CREDB0002`);
  await rm.getByTestId('detail-title').waitFor();
  s.check((await rm.getByTestId('retire').count()) === 0, 'a release manager is offered no retire button');
});

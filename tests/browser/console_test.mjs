// Browser test: logging in and out, the session cookie, the language switch,
// and turning a running agent's updates off (永不) from a terminal's policy
// drawer, then seeing the terminal's own POS menu show it after its next poll.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { Suite, ADMIN_PASSWORD } from './lib.mjs';

await new Suite('console').run(async (s) => {
  await s.startServer();
  s.check(s.serverOutput().includes('console at '), 'posfleetd serves the built console');
  const agent = await s.startAgent('WEB0001');
  const agentMode = async () => (await agent.status())?.policy?.mode;
  await s.waitFor('the agent to run on auto', async () => (await agentMode()) === 'auto');

  const page = await s.page();
  await page.goto(s.url + '/');
  await page.getByTestId('login-submit').waitFor();
  s.check((await page.textContent('body')).includes('posfleet 后台管理'), 'the console opens in Chinese');
  await s.shot(page, 'login');

  await page.getByTestId('login-name').fill('admin');
  await page.getByTestId('login-password').fill('wrong-password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  await s.expectText(page.getByTestId('login-error'), '用户名或密码错误', 'a wrong password gets the generic message, in Chinese');

  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('me').waitFor();
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'posfleet_session');
  s.check(session && session.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');

  await page.goto(s.url + '/terminals');
  await page.getByText('WEB0001').first().waitFor();
  s.check(true, 'the terminal list shows WEB0001');

  // Turn the running terminal's updates off from the back office.
  await page.getByTestId('policy-WEB0001').click();
  await page.getByText('变更记录').waitFor();
  await page.getByText('永不', { exact: true }).click();
  await page.getByTestId('policy-save').click();
  await page.getByText('每次更改都要填写原因').waitFor({ timeout: 5000 });
  s.check(s.cli('--json', 'policy', 'show', '--terminal', 'WEB0001').effective.mode === 'auto',
          'a change without a reason is refused in the form, nothing sent');
  await page.getByTestId('policy-reason').fill('商户来电要求关闭自动更新');
  await page.getByTestId('policy-save').click();
  await page.getByTestId('policy-saved').waitFor();
  await s.expectText(page.getByTestId('policy-mode'), (t) => t === '永不', 'the drawer shows 永不');
  s.check(s.cli('--json', 'policy', 'show', '--terminal', 'WEB0001').effective.mode === 'never',
          'the server holds never for the terminal');
  await s.waitFor('the agent to learn never', async () => (await agentMode()) === 'never');
  s.check(true, 'the running agent holds never after its next poll');
  const menu = s.openMenu(agent);
  await menu.until('设置');
  menu.send('1');  // 设置
  await menu.until('软件更新');
  menu.send('1');  // 软件更新
  await menu.until('自动更新（当前：永不）');
  s.check(true, 'the terminal\'s POS menu shows 自动更新（当前：永不）');
  menu.close();
  await s.shot(page, 'policy-drawer-zh');
  await page.keyboard.press('Escape');

  await page.getByTestId('lang').click();
  await page.getByTestId('nav-terminals').getByText('Terminals').waitFor();
  s.check(true, 'switching to English changes the page');
  await page.reload();
  await page.getByTestId('nav-terminals').getByText('Terminals').waitFor();
  s.check(true, 'the language choice survives a reload');
  await s.shot(page, 'terminals-en');
  await page.getByTestId('lang').click();

  await s.expectText(page.getByTestId('time-zone'), 'Asia/Shanghai', 'the console says dates are shown in the user\'s time zone');

  // A tablet: everything still fits, nothing scrolls sideways.
  const tablet = await s.page({ width: 768, height: 1024 });
  await s.login(tablet);
  await tablet.goto(s.url + '/terminals');
  await tablet.getByText('WEB0001').first().waitFor();
  const overflow = await tablet.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  s.check(overflow <= 0, `at 768 px nothing scrolls sideways (overflow ${overflow} px)`);
  await s.expectVisible(tablet.getByTestId('logout'), 'at 768 px log-out is still on screen');
  await s.shot(tablet, 'terminals-tablet');

  // The side menu: at 1024 and 1280 px every page is on screen, one click
  // away, and each page has its h1 and its tab title.
  const PAGES = ['overview', 'terminals', 'policy', 'releases', 'deployments', 'support', 'audit', 'users', 'applications'];
  for (const width of [1024, 1280]) {
    const wide = await s.page({ width, height: 720 });
    await s.login(wide);
    for (const p of PAGES)
      await s.expect(`at ${width} px the side menu shows ${p} on screen`, async () => {
        const box = await wide.getByTestId(`nav-${p}`).boundingBox();
        return box && box.width > 0 && box.x >= 0 && box.y + box.height <= 720;
      });
    await wide.getByTestId('nav-audit').click();
    await s.expectText(wide.locator('h1'), (t) => t === '审计日志', `at ${width} px the audit page has its h1`);
    await s.expect(`at ${width} px the tab is titled`, () => wide.title(), (t) => t === '审计日志 · posfleet 后台管理');
    const sideways = await wide.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    s.check(sideways <= 0, `at ${width} px nothing scrolls sideways (overflow ${sideways} px)`);
    await s.shot(wide, `side-menu-${width}`);
    await wide.getByTestId('nav-terminals').click();
    await wide.getByText('WEB0001').first().waitFor();
    await s.shot(wide, `terminals-${width}`);
    await wide.context().close();
  }

  // The session ends under the user: the log-in form says so, keeps the
  // address, and logging in again returns to the page.
  await page.goto(s.url + '/audit');
  await page.getByTestId('audit-table').waitFor();
  await page.context().clearCookies();
  await page.getByTestId('nav-releases').click();
  await page.getByTestId('session-expired').waitFor();
  await s.expectText(page.getByTestId('session-expired'), '登录已过期', 'an ended session is said to have expired');
  s.check(new URL(page.url()).pathname === '/releases', 'the address is kept');
  await s.shot(page, 'session-expired-zh');
  await page.getByTestId('login-name').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await s.expectText(page.locator('h1'), (t) => t === '版本发布', 'logging in again returns to the page');

  await page.getByTestId('logout').click();
  await page.getByTestId('login-submit').waitFor();
  const after = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  s.check(after === 401, 'after log-out the session is gone');
});

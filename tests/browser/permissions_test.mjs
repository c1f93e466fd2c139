// Browser test: each role sees only the pages and controls it may use, a page
// it may not see cannot be reached by typing its address, the server refuses
// a change without the CSRF token even from a logged-in page, and an idle
// session ends: the console returns to the log-in form.
import { Suite } from './lib.mjs';

// Navigation each role should see, in order.
const NAV = {
  admin: ['overview', 'terminals', 'policy', 'releases', 'deployments', 'support', 'audit', 'users', 'applications'],
  release_manager: ['overview', 'terminals', 'policy', 'releases', 'deployments'],
  support: ['overview', 'terminals', 'policy', 'releases', 'deployments', 'support'],
  auditor: ['overview', 'terminals', 'policy', 'releases', 'deployments', 'audit'],
};
const ALL = NAV.admin;

await new Suite('permissions').run(async (s) => {
  // A short idle limit, yet longer than any pause between two requests of a
  // step on a loaded machine (4 s was not: a role's pages expired mid-check).
  const IDLE = 30;
  await s.startServer(['--session-idle-seconds', String(IDLE)]);
  s.cli('terminal', 'register', '--serial', 'PERM0001', '--model', 'A920');
  const passwords = { admin: undefined };
  for (const role of ['release_manager', 'support', 'auditor']) passwords[role] = await s.user(role.replace('_', ''), role);

  for (const role of Object.keys(NAV)) {
    const page = await s.page();
    if (role === 'admin') await s.login(page);
    else await s.login(page, role.replace('_', ''), passwords[role]);
    const shown = async () => {
      const out = [];
      for (const p of ALL) if (await page.getByTestId(`nav-${p}`).count()) out.push(p);
      return out.join(', ');
    };
    await s.expect(`${role} sees the pages ${NAV[role].join(', ')}`, shown, (v) => v === NAV[role].join(', '));

    for (const hidden of ALL.filter((p) => !NAV[role].includes(p))) {
      await page.goto(`${s.url}/${hidden}`);
      await page.getByTestId('me').waitFor();
      await page.waitForURL((u) => !u.pathname.startsWith(`/${hidden}`));
      s.check(true, `${role} typing /${hidden} is sent back to ${new URL(page.url()).pathname}`);
    }

    // The terminal's policy drawer offers a change only to roles that may change policy.
    await page.goto(`${s.url}/terminals`);
    await page.getByTestId('policy-PERM0001').click();
    await page.getByTestId('policy-mode').waitFor();
    const mayChange = ['admin', 'release_manager'].includes(role);
    await s.expectCount(page.getByTestId('policy-save'), mayChange ? 1 : 0,
                        `${role} ${mayChange ? 'may' : 'may not'} change a terminal's policy`);
    await s.shot(page, `terminals-${role}`);

    // What the console hides, the server refuses too — even for a page's own fetch.
    const answer = await page.evaluate(async () => {
      const r = await fetch('/api/v1/users', { method: 'GET' });
      return r.status;
    });
    s.check((answer === 200) === (role === 'admin'), `${role} asking for the user list gets ${answer}`);
    await page.context().close();
  }

  // A change sent with the session cookie but without the CSRF token is refused.
  const page = await s.page();
  await s.login(page);
  const csrf = await page.evaluate(async () => {
    const r = await fetch('/api/v1/policy', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ terminal: 'PERM0001', mode: 'never', reason: 'no token' }),
    });
    return { status: r.status, body: await r.json() };
  });
  s.check(csrf.status === 403 && csrf.body.error.code === 'csrf', 'a change without the CSRF token is refused (403 csrf)');
  s.check(s.cli('--json', 'policy', 'show', '--terminal', 'PERM0001').effective.mode === 'auto', '... and nothing changed');

  // Idle for longer than the session allows: the next click lands on the log-in
  // form, which says the session expired. The wait is for the idle limit to
  // pass since the page's last request to the server.
  let lastRequest = Date.now();
  page.on('request', (r) => { if (r.url().includes('/api/')) lastRequest = Date.now(); });
  await page.goto(`${s.url}/terminals`);
  await page.getByText('PERM0001').first().waitFor();
  await s.waitFor('the session to be idle past its limit', async () => Date.now() - lastRequest > (IDLE + 1) * 1000,
                  (IDLE + 30) * 1000);
  await page.getByTestId('nav-overview').click();
  await page.getByTestId('login-submit').waitFor();
  await s.expectText(page.getByTestId('session-expired'), '登录已过期',
                     'after the idle limit the console says the session expired and asks to log in again');
  await s.shot(page, 'session-expired');
});

// Browser test: the fleet's "never defers security" switch means what its
// label says, checked against what a running terminal does. A terminal set to
// 永不 is offered a signed security release already past its deadline
// (deadline 0 days). With the switch on, the label says such terminals are not
// made to install it, and the terminal keeps its version through several
// polls; turned off in the console, the label says it installs, and the
// terminal installs it.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

const SERIAL = 'SEC0001';

await new Suite('security').run(async (s) => {
  await s.startServer();
  s.cli('policy', 'set', '--window', '00:00-00:00', '--reason', 'test fleet installs at any hour');
  const agent = await s.startAgent(SERIAL);
  const startVersion = (await agent.status()).version;
  const never = await s.api('PUT', '/policy', { terminal: SERIAL, mode: 'never', reason: 'merchant asked: no updates' });
  s.check(never.status === 200, 'the terminal is set to 永不');
  await s.waitFor('the agent to hold never', async () => (await agent.status())?.policy?.mode === 'never');

  // ---- The administrator turns the switch on, with a deadline of 0 days.
  const page = await s.page();
  await s.login(page);
  await page.getByTestId('nav-policy').click();
  await page.getByTestId('pf-never-defers').waitFor();
  await s.expectText(page.locator('label[for$=never_defers_security]'), (t) => t === '允许"永不"一直推迟安全更新',
                     'the switch names what turning it on does');
  // Flips the switch, saves with `reason`, and waits for the fleet to hold `want`.
  const flip = async (reason, want, before = async () => undefined) => {
    await page.getByTestId('pf-never-defers').click();
    await before();
    await page.getByTestId('pf-reason').fill(reason);
    await page.getByTestId('pf-save').click();
    await page.getByTestId('policy-saved').waitFor();
    await s.expectAttr(page.getByTestId('effective-never-defers'), 'data-value', String(want),
                       `the fleet now holds the switch ${want ? 'on' : 'off'}`);
  };
  await flip('试点：永不的终端不强制安全更新', true, () => page.getByTestId('pf-deadline').fill('0'));
  await s.expectText(page.getByTestId('effective-never-defers'), '不会被强制安装安全更新',
                     'the summary says terminals set to 永不 are not made to install security updates');
  await s.shot(page, 'security-held-zh');
  const held = (await s.api('GET', '/policy')).body.effective;
  s.check(held.never_defers_security === true && held.security_deadline_days === 0, 'the server holds what the form said');

  // ---- A security release past its deadline, deployed to the terminal.
  writeFileSync(join(s.work, 'os-2.1.0.bin'), randomBytes(200_000));
  s.cli('release', 'create', '--dir', 'rel-2.1.0', '--version', '2.1.0', '--model', 'A920', '--security',
        '--notes-zh', '安全更新 2.1.0', '--notes-en', 'Security update 2.1.0', '--component', 'os=os-2.1.0.bin');
  s.cli('release', 'sign', '--dir', 'rel-2.1.0', '--key', 'release.key');
  s.cli('release', 'publish', '--dir', 'rel-2.1.0');
  const release = (await s.api('GET', '/releases/2.1.0')).body;
  s.check(release.security && Date.parse(release.security_deadline) <= Date.now(), 'the release is past its deadline');
  s.cli('deploy', '--release', '2.1.0', '--terminal', SERIAL);
  const deployedAt = Date.now();

  // Held back: the terminal polls several times after the deployment and
  // still runs its version (a condition on its polls, not a pause).
  await s.waitFor('the terminal to poll three seconds past the deployment', async () => {
    const seen = (await s.api('GET', `/terminals/${SERIAL}`)).body.last_seen;
    return seen && Date.parse(seen) >= deployedAt + 3000;
  });
  s.check((await agent.status()).version === startVersion, `switch on: the terminal keeps ${startVersion}, as the label says`);

  // ---- Turned off: the label says it installs, and it does.
  await flip('安全更新过期后必须安装', false);
  await s.expectText(page.getByTestId('effective-never-defers'), '设为"永不"的终端也会安装',
                     'the summary says a security update past its deadline installs even on 永不');
  await s.shot(page, 'security-forced-zh');
  await s.waitFor('the terminal to install 2.1.0', async () => (await agent.status())?.version === '2.1.0', 120000);
  s.check(true, 'switch off: the terminal set to 永不 installs the overdue security release, as the label says');

  await page.getByTestId('lang').click();
  await s.expectText(page.getByTestId('effective-never-defers'), 'installs even on terminals set to Never',
                     'the English summary says the same');
  await s.shot(page, 'security-forced-en');
});

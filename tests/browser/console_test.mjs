// Browser test: Debian's Chromium, driven by playwright-core, against a real
// posfleetd serving the built console. Logs in (a wrong password first), sees
// a registered terminal in the list, switches to English and back, and logs
// out; and turns a running agent's updates off (永不) from the terminal's
// policy drawer, then sees the agent pick it up at its next poll.
// Screenshots go to $POSFLEET_SCREENSHOTS (default: a temp dir).
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.cwd(), 'package.json'));  // run from console/
const { chromium } = require('playwright-core');

const work = mkdtempSync(join(tmpdir(), 'pf-browser-'));
const shots = process.env.POSFLEET_SCREENSHOTS || join(work, 'screenshots');
mkdirSync(shots, { recursive: true });
const password = 'browser-admin-password';
let server;
let agent;
let browser;
let failures = 0;

function check(cond, what) {
  if (cond) {
    console.log(`ok - ${what}`);
  } else {
    failures++;
    console.log(`not ok - ${what}`);
  }
}

async function startServer() {
  server = spawn(process.env.POSFLEETD, ['--data-dir', join(work, 'var'), '--listen', '127.0.0.1:0', '--poll-seconds', '1'], {
    env: { ...process.env, POSFLEET_BOOTSTRAP_TOKEN: 'browser-token', POSFLEET_ADMIN_PASSWORD: password },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('posfleetd did not start:\n' + out)), 20000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], output: () => out });
      }
    });
  });
}

try {
  const { url, output } = await startServer();
  check(output().includes('console at '), 'posfleetd serves the built console');
  const cliEnv = { ...process.env, POSFLEET_SERVER: url, POSFLEET_TOKEN: 'browser-token' };
  const cli = (...args) => execFileSync(process.env.POSFLEET_CLI, args, { env: cliEnv, cwd: work }).toString();
  const reg = JSON.parse(cli('--json', 'terminal', 'register', '--serial', 'WEB0001', '--model', 'A920'));
  cli('key', 'generate', '--out', join(work, 'release'));
  // A running terminal, so the console's change can be seen arriving there.
  const config = join(work, 'agent.json');
  writeFileSync(config, JSON.stringify({ server: url, terminal: 'WEB0001', token: reg.token, model: 'A920',
    device_dir: 'dev', trusted_keys: ['release.pub'], max_poll_seconds: 1 }));
  agent = spawn(process.env.POSFLEET_AGENT, ['-c', config, 'run'], { stdio: 'ignore' });
  const agentMode = () => new Promise((resolve) => {
    const sock = createConnection(join(work, 'dev', 'agent.sock'));
    let data = '';
    sock.on('connect', () => sock.write('{"cmd":"status"}\n'));
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => { try { resolve(JSON.parse(data).policy.mode); } catch { resolve(null); } });
    sock.on('error', () => resolve(null));
  });
  const waitFor = async (what, fn, ms = 20000) => {
    const until = Date.now() + ms;
    while (Date.now() < until) { if (await fn()) return true; await new Promise((r) => setTimeout(r, 200)); }
    throw new Error('timed out waiting for ' + what);
  };
  await waitFor('the agent to run on auto', async () => (await agentMode()) === 'auto');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url + '/');
  await page.getByTestId('login-submit').waitFor();
  check((await page.textContent('body')).includes('posfleet 后台管理'), 'the console opens in Chinese');
  await page.screenshot({ path: join(shots, 'login.png') });

  await page.getByTestId('login-name').fill('admin');
  await page.getByTestId('login-password').fill('wrong-password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  check((await page.getByTestId('login-error').textContent()).includes('user name or password is wrong'),
        'a wrong password gets the generic message');

  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('me').waitFor();
  await page.getByText('WEB0001').waitFor();
  check(true, 'after log-in the terminal list shows WEB0001');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'posfleet_session');
  check(session && session.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
  await page.screenshot({ path: join(shots, 'terminals-zh.png') });

  // Turn the running terminal's updates off from the back office.
  await page.getByTestId('policy-WEB0001').click();
  await page.getByText('变更记录').waitFor();
  await page.getByText('永不', { exact: true }).click();
  await page.getByTestId('policy-save').click();
  await page.getByText('每次更改都要填写原因').waitFor({ timeout: 5000 });
  check(JSON.parse(cli('--json', 'policy', 'show', '--terminal', 'WEB0001')).effective.mode === 'auto',
        'a change without a reason is refused in the form, nothing sent');
  await page.getByTestId('policy-reason').fill('商户来电要求关闭自动更新');
  await page.getByTestId('policy-save').click();
  await page.getByTestId('policy-saved').waitFor();
  check((await page.getByTestId('policy-mode').textContent()) === '永不', 'the drawer shows 永不');
  const server_mode = JSON.parse(cli('--json', 'policy', 'show', '--terminal', 'WEB0001')).effective.mode;
  check(server_mode === 'never', 'the server holds never for the terminal');
  await waitFor('the agent to learn never', async () => (await agentMode()) === 'never');
  check(true, 'the running agent shows never after its next poll');
  await page.screenshot({ path: join(shots, 'policy-zh.png') });
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'English' }).click();
  await page.getByText('Terminals').first().waitFor();
  check((await page.textContent('body')).includes('Last seen'), 'switching to English changes the page');
  await page.reload();
  await page.getByText('Terminals').first().waitFor();
  check(true, 'the language choice survives a reload');
  await page.screenshot({ path: join(shots, 'terminals-en.png') });

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByTestId('login-submit').waitFor();
  const after = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  check(after === 401, 'after log-out the session is gone');
} catch (e) {
  failures++;
  console.log(`not ok - ${e.stack || e}`);
} finally {
  if (browser) await browser.close();
  if (agent) agent.kill('SIGTERM');
  if (server) server.kill('SIGTERM');
  if (!process.env.POSFLEET_SCREENSHOTS && failures === 0) rmSync(work, { recursive: true, force: true });
  else console.log(`screenshots in ${shots}`);
}
console.log(failures === 0 ? 'browser: all checks passed' : `browser: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);

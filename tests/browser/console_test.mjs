// Browser test: Debian's Chromium, driven by playwright-core, against a real
// posfleetd serving the built console. Logs in (a wrong password first), sees
// a registered terminal in the list, switches to English and back, and logs
// out. Screenshots go to $POSFLEET_SCREENSHOTS (default: a temp dir).
// Run by ctest (label browser) with POSFLEETD and POSFLEET_CLI set.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
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
  server = spawn(process.env.POSFLEETD, ['--data-dir', join(work, 'var'), '--listen', '127.0.0.1:0', '--poll-seconds', '5'], {
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
  execFileSync(process.env.POSFLEET_CLI, ['terminal', 'register', '--serial', 'WEB0001', '--model', 'A920'], {
    env: { ...process.env, POSFLEET_SERVER: url, POSFLEET_TOKEN: 'browser-token' },
  });
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
  if (server) server.kill('SIGTERM');
  if (!process.env.POSFLEET_SCREENSHOTS && failures === 0) rmSync(work, { recursive: true, force: true });
  else console.log(`screenshots in ${shots}`);
}
console.log(failures === 0 ? 'browser: all checks passed' : `browser: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);

// What the browser tests share: a real posfleetd on a random loopback port
// with the built console, the CLI, running agents, Debian's Chromium, log-in,
// screenshots ($POSFLEET_SCREENSHOTS/<suite>/, else inside the work folder)
// and a tiny TAP-like reporter. Every process started here is
// stopped by run(). Run from console/ (playwright-core is in its node_modules).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.cwd(), 'package.json'));
const { chromium } = require('playwright-core');

export const ADMIN_PASSWORD = 'browser-admin-password';
export const TOKEN = 'browser-token';

export class Suite {
  constructor(name) {
    this.name = name;
    this.work = mkdtempSync(join(tmpdir(), `pf-browser-${name}-`));
    this.shots = join(process.env.POSFLEET_SCREENSHOTS || join(this.work, 'screenshots'), name);
    mkdirSync(this.shots, { recursive: true });
    this.failures = 0;
    this.processes = [];
    this.pages = [];
    this.browser = null;
  }

  check(cond, what) {
    if (cond) console.log(`ok - ${what}`);
    else {
      this.failures++;
      console.log(`not ok - ${what}`);
    }
  }

  // Starts posfleetd; resolves with its URL. `args` are extra flags.
  async startServer(args = [], env = {}) {
    const server = spawn(
      process.env.POSFLEETD,
      ['--data-dir', join(this.work, 'var'), '--listen', '127.0.0.1:0', '--poll-seconds', '1', ...args],
      { env: { ...process.env, POSFLEET_BOOTSTRAP_TOKEN: TOKEN, POSFLEET_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env } },
    );
    this.processes.push(server);
    let out = '';
    this.serverOutput = () => out;
    this.url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('posfleetd did not start:\n' + out)), 20000);
      server.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      server.stderr.on('data', (d) => { out += d; });
      server.on('exit', (code) => reject(new Error(`posfleetd exited (${code}):\n${out}`)));
    });
    return this.url;
  }

  // The operator CLI with the admin token; returns stdout (parsed with --json).
  cli(...args) {
    const env = { ...process.env, POSFLEET_SERVER: this.url, POSFLEET_TOKEN: TOKEN };
    const out = execFileSync(process.env.POSFLEET_CLI, args, { env, cwd: this.work }).toString();
    return args.includes('--json') ? JSON.parse(out) : out;
  }

  // The management API with the admin token (or `token`).
  async api(method, path, body, token = TOKEN) {
    const res = await fetch(this.url + '/api/v1' + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  // Registers `serial` and starts a real agent for it, polling every second.
  // Returns { serial, dir, status() } where status() asks the agent's socket.
  async startAgent(serial, model = 'A920', extra = {}) {
    if (!this.keyMade) {
      this.cli('key', 'generate', '--out', join(this.work, 'release'));
      this.keyMade = true;
    }
    const reg = this.cli('--json', 'terminal', 'register', '--serial', serial, '--model', model);
    const dir = join(this.work, `dev-${serial}`);
    const config = join(this.work, `agent-${serial}.json`);
    writeFileSync(config, JSON.stringify({ server: this.url, terminal: serial, token: reg.token, model,
      device_dir: dir, trusted_keys: [join(this.work, 'release.pub')], max_poll_seconds: 1,
      // The test server speaks plain HTTP on loopback, which the agent refuses unless told.
      allow_plain_http: this.url.startsWith('http://'), ...extra }));
    const agent = spawn(process.env.POSFLEET_AGENT, ['-c', config, 'run'], { stdio: 'ignore' });
    this.processes.push(agent);
    const status = () => new Promise((resolve) => {
      const sock = createConnection(join(dir, 'agent.sock'));
      let data = '';
      sock.on('connect', () => sock.write('{"cmd":"status"}\n'));
      sock.on('data', (d) => { data += d; });
      sock.on('end', () => { try { resolve(JSON.parse(data)); } catch { resolve(null); } });
      sock.on('error', () => resolve(null));
    });
    await this.waitFor(`agent ${serial} to start`, async () => (await status()) !== null);
    return { serial, dir, config, status };
  }

  // The terminal's own POS menu on a pipe, as a merchant would use it:
  // send(keys) types a line, until(text) waits for the screen to show it.
  openMenu(agent) {
    const menu = spawn(process.env.POSFLEET_AGENT, ['-c', agent.config, 'menu'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.processes.push(menu);
    const m = { screen: '' };
    menu.stdout.on('data', (d) => { m.screen += d; });
    menu.stderr.on('data', (d) => { m.screen += d; });
    m.send = (line) => menu.stdin.write(line + '\n');
    m.until = (text) => this.waitFor(`the menu to show ${text}:\n${m.screen}`, async () => m.screen.includes(text));
    m.close = () => menu.stdin.end();
    return m;
  }

  // Expect-style checks: each polls until its condition holds (or the deadline
  // passes), then records the check — never a read right after an action.
  // `fn` returns the value to test; `ok(value)` says whether it holds.
  async expect(what, fn, ok = (v) => !!v, ms = 20000) {
    const until = Date.now() + ms;
    let seen;
    for (;;) {
      try {
        seen = await fn();
        if (ok(seen)) return this.check(true, what);
      } catch (e) {
        seen = `error: ${e.message}`;
      }
      if (Date.now() >= until) return this.check(false, `${what} (last seen: ${String(seen).slice(0, 300)})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  // The element's text until `ok(text)` holds; a string means "contains it".
  expectText(locator, ok, what, ms) {
    const test = typeof ok === 'string' ? (t) => t.includes(ok) : ok;
    return this.expect(what, async () => (await locator.first().textContent({ timeout: 2000 })) ?? '', test, ms);
  }

  // How many elements match, until it is `n`.
  expectCount(locator, n, what, ms) {
    return this.expect(what, () => locator.count(), (c) => c === n, ms);
  }

  // The element is on screen.
  expectVisible(locator, what, ms) {
    return this.expect(what, () => locator.first().isVisible(), (v) => v, ms);
  }

  // The element's attribute until it equals `want`.
  expectAttr(locator, name, want, what, ms) {
    return this.expect(what, () => locator.first().getAttribute(name, { timeout: 2000 }), (v) => v === want, ms);
  }

  async waitFor(what, fn, ms = 20000) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await fn()) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('timed out waiting for ' + what);
  }

  // A new browser page at 1280×800 (or `viewport`) in the Shanghai time zone.
  async page(viewport = { width: 1280, height: 800 }, options = {}) {
    if (!this.browser)
      this.browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
               '--disable-sync', '--no-first-run', '--disable-quic'],
      });
    // Reduced motion: the console then turns Ant Design's animations off (main.tsx), so no click
    // lands on a select's list still sliding open or a dialog still zooming in — on a loaded
    // machine an animation can last many frames, and Playwright's stability check is per frame.
    const context = await this.browser.newContext({ viewport, timezoneId: 'Asia/Shanghai', locale: 'zh-CN',
                                                    reducedMotion: 'reduce', ...options });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    this.pages.push(page);
    return page;
  }

  // Logs `page` in as `name` and waits for the back office.
  async login(page, name = 'admin', password = ADMIN_PASSWORD) {
    await page.goto(this.url + '/');
    await page.getByTestId('login-submit').waitFor();
    await page.getByTestId('login-name').fill(name);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('me').waitFor();
  }

  // Creates a user with `role` through the API; the password is `${name}-password-1`
  // (long enough for the password policy whatever the name).
  async user(name, role) {
    const r = await this.api('POST', '/users', { name, role, password: `${name}-password-1` });
    if (r.status !== 201) throw new Error(`could not create ${name}: ${JSON.stringify(r.body)}`);
    return `${name}-password-1`;
  }

  // Picks `text` in the Ant Design select `testId` and waits until the select shows it. Every
  // select in these tests is set through here. The list opens without animation (reduced motion,
  // see page()), but a re-render can still close it under the pointer on a busy machine, so the
  // choice is read back and made again (at most three times) rather than assumed.
  async choose(page, testId, text) {
    const select = page.getByTestId(testId);
    const shown = () => select.evaluate((el) => (el.closest('.ant-select') ?? el).textContent ?? '');
    for (let attempt = 1; ; attempt++) {
      if ((await page.locator('.ant-select-dropdown:visible').count()) === 0) await select.click();
      const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text });
      try {
        await option.click({ timeout: 5000 });
      } catch (e) {
        // The click landed elsewhere mid-slide and the list closed: open it again.
        if (attempt >= 3) throw e;
        continue;
      }
      for (let i = 0; i < 30 && !(await shown()).includes(text); i++) await page.waitForTimeout(100);
      if ((await shown()).includes(text)) return;
      if (attempt >= 3) throw new Error(`the select ${testId} shows "${await shown()}", not ${text}`);
    }
  }

  // After a failure: what each open page showed — its address, the messages and form errors on
  // screen, and a screenshot (failed-<n>.png) — so a failure under load explains itself.
  async showPages() {
    for (const [i, page] of this.pages.entries()) {
      if (page.isClosed()) continue;
      try {
        const said = await page.locator('.ant-alert, .ant-form-item-explain-error, .ant-message, .ant-modal-title')
          .allTextContents();
        console.log(`# page ${i + 1} at ${page.url()} shows: ${JSON.stringify(said).slice(0, 2000)}`);
        await this.shot(page, `failed-${i + 1}`);
      } catch (e) {
        console.log(`# page ${i + 1}: ${e.message}`);
      }
    }
  }

  async shot(page, name) {
    await page.screenshot({ path: join(this.shots, `${name}.png`), fullPage: true });
  }

  // Runs `body(suite)`, then stops everything and exits with the result.
  async run(body) {
    try {
      await body(this);
    } catch (e) {
      this.failures++;
      console.log(`not ok - ${e.stack || e}`);
      await this.showPages();
    } finally {
      if (this.browser) await this.browser.close();
      for (const p of this.processes) p.kill('SIGTERM');
      // Kept when something failed, for its logs; screenshots may live outside it.
      if (this.failures === 0) rmSync(this.work, { recursive: true, force: true });
      else console.log(`work folder kept: ${this.work}`);
      console.log(`screenshots in ${this.shots}`);
    }
    console.log(this.failures === 0 ? `${this.name}: all checks passed` : `${this.name}: ${this.failures} failed`);
    process.exit(this.failures === 0 ? 0 : 1);
  }
}

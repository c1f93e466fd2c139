// Browser test: the overview and the terminal pages against a real posfleetd
// and two running agents. The overview's counts and charts change when a
// (security) release signed with the CLI is deployed and when a terminal's
// mode changes; clicking a chart element opens the terminal list filtered to
// it; search (with % and _ taken literally), filters and paging work over 122
// terminals and live in the URL; a terminal's page shows its slots, the
// download progress while it runs, deployments, notifications, tickets and
// its policy history.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { createConnection } from 'node:net';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

// Clicks where a chart draws item `dataIndex` of series `seriesIndex` (a pie
// slice's middle or a bar's centre), as a person would.
async function clickChart(page, testId, seriesIndex, dataIndex) {
  const box = page.getByTestId(testId);
  await box.scrollIntoViewIfNeeded();
  const at = await box.evaluate((el, [si, di]) => {
    const layout = el.chart.getModel().getSeriesByIndex(si).getData().getItemLayout(di);
    if (layout.cx !== undefined) {
      const a = (layout.startAngle + layout.endAngle) / 2;
      const r = ((layout.r0 || 0) + layout.r) / 2;
      return { x: layout.cx + r * Math.cos(a), y: layout.cy + r * Math.sin(a) };
    }
    return { x: layout.x + layout.width / 2, y: layout.y + layout.height / 2 };
  }, [seriesIndex, dataIndex]);
  const rect = await box.boundingBox();
  await page.mouse.click(rect.x + at.x, rect.y + at.y);
}

// What a chart draws: its series with their data as numbers ('-' = 0).
const chartSeries = (page, testId) =>
  page.getByTestId(testId).evaluate((el) =>
    el.chart.getOption().series.map((s) => ({
      name: s.name,
      data: s.data.map((d) => (typeof d === 'object' ? d.value : d === '-' ? 0 : d)),
    })),
  );

// Asks a running agent's local socket, as the POS menu does.
const agentSay = (dir, request) =>
  new Promise((resolve) => {
    const sock = createConnection(join(dir, 'agent.sock'));
    let data = '';
    sock.on('connect', () => sock.write(JSON.stringify(request) + '\n'));
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => { try { resolve(JSON.parse(data)); } catch { resolve(null); } });
    sock.on('error', () => resolve(null));
  });

// The number a Statistic tile shows.
const stat = async (page, testId) =>
  Number((await page.getByTestId(testId).locator('.ant-statistic-content').textContent()).replace(/\D/g, ''));

const rowSerials = (page) =>
  page.locator('.ant-table-tbody tr.ant-table-row td:first-child').allTextContents();

await new Suite('terminals').run(async (s) => {
  await s.startServer();
  s.cli('policy', 'set', '--window', '00:00-00:00', '--reason', 'test fleet installs at any hour');
  const fast = await s.startAgent('WEB1001');
  // 40 kB/s: the 1.5 MB release takes ~40 s, long enough to watch it move
  // even when logging in takes a while on a loaded machine.
  const slow = await s.startAgent('WEB1002', 'A920', { download_rate_limit: 40_000 });

  // 120 more terminals that never poll: 40 of model S300, a group, two merchants.
  for (let i = 1; i <= 120; i++) {
    const serial = `BULK${String(i).padStart(3, '0')}`;
    const r = await s.api('POST', '/terminals', { serial, model: i % 3 === 0 ? 'S300' : 'A920' });
    if (r.status !== 201) throw new Error(`register ${serial}: ${JSON.stringify(r.body)}`);
  }
  for (const [name, serial, phone] of [['100%_茶馆', 'BULK007', '13800000007'], ['1000 Tea', 'BULK008', '13800000008']]) {
    const m = await s.api('POST', '/merchants', { legal_name: name, phone, resident_id: '11010519491231002X' });
    s.check(m.status === 201, `merchant ${name} created`);
    await s.api('POST', `/merchants/${m.body.id}/terminals`, { serial, reason: 'test' });
  }
  await s.waitFor('both agents to report their slots', async () => {
    const views = await Promise.all(['WEB1001', 'WEB1002'].map((t) => s.api('GET', `/terminals/${t}`)));
    return views.every((v) => v.body.slots?.reported && v.body.online);
  });

  const page = await s.page();
  await s.login(page);
  await page.goto(s.url + '/overview');
  await page.getByTestId('chart-modes').waitFor();
  await s.expect('the overview counts 122 terminals', () => stat(page, 'stat-total'), (n) => n === 122);
  await s.expect('two of them online (the agents)', () => stat(page, 'stat-online'), (n) => n === 2);
  await s.expect('120 offline', () => stat(page, 'stat-offline'), (n) => n === 120);
  await s.expectVisible(page.getByTestId('outcomes-empty'), 'no outcomes yet: the outcome chart says so');
  await s.shot(page, 'overview-empty-zh');

  // A security release, signed offline and published with the CLI, deployed
  // to both agents and to one terminal that never polls.
  writeFileSync(join(s.work, 'os-2.0.0.bin'), randomBytes(1_500_000));
  s.cli('release', 'create', '--dir', 'rel-2.0.0', '--version', '2.0.0', '--model', 'A920', '--security',
        '--notes-zh', '安全更新 2.0.0', '--notes-en', 'Security update 2.0.0', '--component', 'os=os-2.0.0.bin');
  s.cli('release', 'sign', '--dir', 'rel-2.0.0', '--key', 'release.key');
  s.cli('release', 'publish', '--dir', 'rel-2.0.0');
  const deadline = new Date(Date.now() + 7 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const dl = await s.api('PUT', '/releases/2.0.0/deadline', { deadline, reason: 'CVE fix must be everywhere in a week' });
  s.check(dl.status === 200, 'the release has a security deadline');
  for (const t of ['WEB1002', 'WEB1001', 'BULK001']) s.cli('deploy', '--release', '2.0.0', '--terminal', t);

  // The slow terminal's page: progress moves while the download runs.
  const detail = await s.page();
  await s.login(detail);
  await detail.goto(s.url + '/terminals/WEB1002');
  await detail.getByTestId('progress-bar').waitFor();
  const percent = async () => parseInt((await detail.getByTestId('progress-bar').textContent()) || '0', 10);
  await s.waitFor('the page to show the download part-way', async () => {
    const p = await percent();
    return p > 0 && p < 100;
  }, 90000);
  s.check(true, 'the terminal page shows the download part-way without a reload');
  await s.shot(detail, 'terminal-progress-zh');

  // The overview updates itself (every 10 s) when the deployments end.
  await s.waitFor('the outcome chart to count two successes', async () => {
    if (!(await page.getByTestId('chart-outcomes').isVisible().catch(() => false))) return false;
    const series = await chartSeries(page, 'chart-outcomes');
    return series[0].data.reduce((a, b) => a + b, 0) === 2;
  }, 150000);
  s.check(true, 'the outcome chart shows two successful updates today, without a reload');
  await s.expect('the version chart shows 2.0.0 on two A920 terminals',
                 async () => (await chartSeries(page, 'chart-versions')).find((x) => x.name === '2.0.0')?.data[0],
                 (n) => n === 2, 30000);
  await s.expect('one terminal is still pending the security release',
                 async () => (await chartSeries(page, 'chart-security'))[0]?.data[0], (n) => n === 1, 30000);
  await s.shot(page, 'overview-zh');

  // The terminal's page after the update: slots, 100 %, the deployment.
  await s.waitFor('the slow terminal to report its new slot', async () =>
    (await s.api('GET', '/terminals/WEB1002')).body.slots.active === 'b');
  await detail.reload();
  await detail.getByTestId('slot-b').waitFor();
  await s.expectText(detail.getByTestId('slot-b'), '2.0.0', 'slot B holds 2.0.0');
  await s.expectText(detail.getByTestId('slot-b'), '当前使用', 'slot B is the committed slot');
  await s.expectText(detail.getByTestId('slot-a'), '1.0.0', 'slot A keeps 1.0.0');
  await s.expect('the progress shows 100 %', percent, (p) => p === 100);
  await s.expectText(detail.getByTestId('deployments'), '2.0.0', 'the deployment is listed');

  // Change a terminal's mode on its page: the reason is required; the
  // notification, the policy history and the overview's mix follow.
  await detail.goto(s.url + '/terminals/WEB1001');
  await detail.getByTestId('policy-history').waitFor();
  await detail.getByTestId('policy').getByText('永不', { exact: true }).click();
  await detail.getByTestId('policy-save').click();
  await detail.getByText('每次更改都要填写原因').waitFor();
  await detail.getByTestId('policy-reason').fill('商户要求暂停自动更新');
  await detail.getByTestId('policy-save').click();
  await detail.getByTestId('policy-saved').waitFor();
  await detail.getByTestId('policy-history').getByText('商户要求暂停自动更新').waitFor();
  s.check(true, 'the policy history shows the change with its reason');
  await detail.getByTestId('notifications').getByText('永不').first().waitFor();
  s.check(true, 'the notification sent to the terminal is listed');
  await s.waitFor('the agent to learn never', async () => (await fast.status())?.policy?.mode === 'never');
  const sent = await agentSay(fast.dir, { cmd: 'ticket', message: '打印机卡纸，请联系我' });
  s.check(sent !== null, 'the merchant opens a ticket from the terminal');
  await s.waitFor('the ticket to reach the server', async () =>
    (await s.api('GET', '/terminals/WEB1001')).body.tickets.length === 1);
  await detail.reload();
  await detail.getByTestId('tickets').getByText('打印机卡纸，请联系我').waitFor();
  s.check(true, 'the ticket shows on the terminal page');
  await s.shot(detail, 'terminal-detail-zh');
  await detail.getByTestId('lang').click();
  await detail.getByText('Notifications sent').waitFor();
  s.check(true, 'the terminal page switches to English');
  await s.shot(detail, 'terminal-detail-en');
  await detail.getByTestId('lang').click();

  await page.reload();
  await page.getByTestId('chart-modes').waitFor();
  const modes = await chartSeries(page, 'chart-modes');
  s.check(modes[0].data[2] === 1 && modes[0].data[0] === 121, 'the policy mix shows one 永不 and 121 开启');

  // Each chart leads to the list filtered the same way.
  await clickChart(page, 'chart-modes', 0, 2);
  await page.waitForURL(/\/terminals\?mode=never/);
  await page.getByTestId('terminal-WEB1001').waitFor();
  await s.expect('the 永不 slice lists only WEB1001', async () => (await rowSerials(page)).join(), (v) => v === 'WEB1001');
  await s.expectText(page.getByTestId('total'), '1', 'with its total');
  await page.goBack();
  let bar = -1;
  await s.waitFor('the version chart to be drawn again', async () => {
    bar = (await chartSeries(page, 'chart-versions').catch(() => [])).findIndex((x) => x.name === '2.0.0');
    return bar >= 0;
  });
  await clickChart(page, 'chart-versions', bar, 0);
  await page.waitForURL(/model=A920&version=2\.0\.0/);
  await page.getByTestId('terminal-WEB1002').waitFor();
  await s.expect('the 2.0.0 bar lists the two updated terminals', async () => (await rowSerials(page)).join(),
                 (v) => v === 'WEB1001,WEB1002');
  await page.goBack();
  await clickChart(page, 'chart-online', 0, 0);
  await page.waitForURL(/online=true/);
  await page.getByTestId('terminal-WEB1002').waitFor();
  await s.expect('the online slice lists the two agents', async () => (await rowSerials(page)).join(), (v) => v === 'WEB1001,WEB1002');
  await page.goBack();
  await clickChart(page, 'chart-outcomes', 0, 13);
  await page.waitForURL(/state=success/);
  await page.getByTestId('terminal-WEB1002').waitFor();
  await s.expect("today's success bar lists the updated terminals", async () => (await rowSerials(page)).join(), (v) => v === 'WEB1001,WEB1002');
  await page.goBack();
  await clickChart(page, 'chart-security', 0, 0);
  await page.waitForURL(/pending=2\.0\.0/);
  await page.getByTestId('terminal-BULK001').waitFor();
  await s.expect('the security bar lists the terminal still to update', async () => (await rowSerials(page)).join(), (v) => v === 'BULK001');

  // The list: paging, search, filters, all in the URL.
  await page.goto(s.url + '/terminals');
  await page.getByTestId('terminal-BULK001').waitFor();
  await s.expectText(page.getByTestId('total'), '122', 'the list counts all 122 terminals');
  await s.expect('one page of 20 rows', async () => (await rowSerials(page)).length, (n) => n === 20);
  await page.locator('.ant-pagination-item-2').click();
  await page.getByTestId('terminal-BULK021').waitFor();
  s.check(page.url().includes('page=2'), 'page 2 starts at BULK021 and is in the URL');
  s.check(page.url().includes('after=BULK020'), 'the next page is asked for after the last serial shown, not by offset');
  await page.reload();
  await page.getByTestId('terminal-BULK021').waitFor();
  s.check(true, 'a reload stays on page 2');
  await s.shot(page, 'terminals-page2-zh');
  await page.locator('.ant-pagination-next').click();
  await page.getByTestId('terminal-BULK041').waitFor();
  await s.expect('the next page, page 3, runs from BULK041 to BULK060', async () => (await rowSerials(page)).join(),
                 (v) => v.startsWith('BULK041,') && v.endsWith(',BULK060') && page.url().includes('after=BULK040'));
  await page.locator('.ant-pagination-prev').click();
  await page.getByTestId('terminal-BULK021').waitFor();
  await s.expect('the previous page is page 2 again, asked for before BULK041', async () => (await rowSerials(page)).join(),
                 (v) => v.startsWith('BULK021,') && v.endsWith(',BULK040') && page.url().includes('before=BULK041'));
  await page.locator('.ant-pagination-item-5').click();
  await page.getByTestId('terminal-BULK081').waitFor();
  s.check(page.url().includes('page=5') && !/after=|before=/.test(page.url()), 'a jump to page 5 counts from the start');

  await page.getByPlaceholder('搜索序列号开头或商户名称').fill('bulk01');
  await page.waitForURL(/q=bulk01/);
  await page.getByTestId('terminal-BULK010').waitFor();
  await s.expect('searching bulk01 (any case) finds BULK010-BULK019 from the first page',
                 async () => (await rowSerials(page)).length === 10 && !page.url().includes('page='));
  await page.getByPlaceholder('搜索序列号开头或商户名称').fill('100%_');
  await page.waitForURL(/q=100%25_/);
  await page.getByTestId('terminal-BULK007').waitFor();
  await s.expect('"100%_" matches the merchant 100%_茶馆 only, not 1000 Tea', async () => (await rowSerials(page)).join(), (v) => v === 'BULK007');
  await s.expectText(page.locator('.ant-table-tbody'), '100%_茶馆', 'the merchant column shows the name');

  await page.getByTestId('clear-filters').click();
  await s.choose(page, 'filter-model', 'S300');
  await page.waitForURL(/model=S300/);
  // BULK003 is on the unfiltered first page too: wait for the new total.
  await page.getByTestId('total').getByText('共 40 台').waitFor();
  await s.expect('the model filter finds the 40 S300 terminals (every third BULK)',
                 async () => (await rowSerials(page)).every((serial) => Number(serial.slice(4)) % 3 === 0));
  await s.choose(page, 'filter-online', '在线');
  await page.waitForURL(/online=true/);
  await page.getByText('没有符合筛选条件的终端').waitFor();
  s.check(true, 'S300 and online together: none, and the list says so');
  await page.goto(s.url + '/terminals?state=failed');
  await page.getByText('没有符合筛选条件的终端').waitFor();
  s.check(true, 'no failed updates: the state filter from the URL is applied');
  await page.goto(s.url + '/terminals?mode=auto&model=A920&size=50');
  await page.getByTestId('terminal-BULK001').waitFor();
  await s.expect('mode and model from the URL: 81 A920 terminals on auto, 50 to a page',
                 async () => `${await page.getByTestId('total').textContent()} ${(await rowSerials(page)).length}`,
                 (v) => v.includes('81') && v.endsWith(' 50'));
  await s.shot(page, 'terminals-zh');

  // A tablet.
  const tablet = await s.page({ width: 768, height: 1024 });
  await s.login(tablet);
  await tablet.goto(s.url + '/overview');
  await tablet.getByTestId('chart-versions').waitFor();
  const width = await tablet.getByTestId('chart-versions').evaluate((el) => el.getBoundingClientRect().width);
  s.check(width > 500 && width <= 768, `at 768 px the charts take the full width (${Math.round(width)} px)`);
  await s.shot(tablet, 'overview-tablet');
  await tablet.goto(s.url + '/terminals/WEB1001');
  await tablet.getByTestId('slot-b').waitFor();
  await s.shot(tablet, 'terminal-detail-tablet');

  // Read-only roles see the pages but not the mode change.
  await s.user('carol', 'auditor');
  const auditor = await s.page();
  await s.login(auditor, 'carol', 'carol-password-1');
  await auditor.goto(s.url + '/terminals/WEB1001');
  await auditor.getByTestId('policy-history').waitFor();
  await s.expectCount(auditor.getByTestId('policy-save'), 0, 'an auditor sees the policy but cannot change it');
  const put = await auditor.evaluate(async () => (await fetch('/api/v1/overview')).status);
  s.check(put === 200, 'an auditor may read the overview');
});

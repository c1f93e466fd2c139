// Browser test: the update-policy, releases and deployments pages against a
// real posfleetd (checking signatures with --release-key) and a running agent.
// A release manager changes the fleet's and a group's policy (the preview's
// count checked against the server's own terminal count), bulk-edits the
// terminals a filter picks, uploads a release signed with the CLI (after the
// browser refused a missing file, a changed file and a rogue signature),
// deploys it to the agent's terminal and watches it succeed; the agent then
// runs the new version. An auditor sees no edit controls; the API refuses
// what the forms would refuse.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

await new Suite('releases').run(async (s) => {
  // The release key exists before posfleetd starts, so the server checks
  // signatures at publish; startAgent trusts the same release.pub.
  s.cli('key', 'generate', '--out', join(s.work, 'release'));
  s.keyMade = true;
  s.cli('key', 'generate', '--out', join(s.work, 'rogue'));
  await s.startServer(['--release-key', join(s.work, 'release.pub'), '--bulk-cap', '5']);
  const agent = await s.startAgent('WEB1001');
  const startVersion = (await agent.status()).version;
  // Five more terminals, registered only: two in north, two in south, one of another model.
  for (const [serial, model, group] of [['WEB2001', 'A920', 'north'], ['WEB2002', 'A920', 'north'],
    ['WEB2003', 'A920', 'south'], ['WEB2004', 'A920', 'south'], ['WEB3001', 'S300', '']]) {
    s.cli('terminal', 'register', '--serial', serial, '--model', model);
    if (group) s.check((await s.api('PUT', `/terminals/${serial}/group`, { group })).status === 200, `${serial} joins ${group}`);
  }
  const count = async (query) => (await s.api('GET', `/terminals?${query}`)).body.total;
  s.check((await count('')) === 6, 'six terminals registered');

  // Releases made and signed offline with the CLI, as a release manager does.
  const write = (name, data) => { writeFileSync(join(s.work, name), data); return name; };
  const makeRelease = (version, key, extra = []) => {
    s.cli('release', 'create', '--dir', `rel-${version}`, '--version', version, '--model', 'A920',
      '--component', `os=${write(`os-${version}.bin`, randomBytes(150000))}`,
      '--component', `payment-app=${write(`app-${version}.bin`, Buffer.from(`pay-app ${version}`))}`,
      '--mandatory', 'os', '--depends', 'payment-app=os',
      '--notes-zh', `版本 ${version}：修复刷卡问题`, '--notes-en', `Version ${version}: card reader fix`, ...extra);
    s.cli('release', 'sign', '--dir', `rel-${version}`, '--key', key);
    return join(s.work, `rel-${version}`);
  };
  const good = makeRelease('2.1.0', 'release.key', ['--security']);
  const rogue = makeRelease('3.0.0', 'rogue.key');
  mkdirSync(join(s.work, 'tampered'), { recursive: true });
  writeFileSync(join(s.work, 'tampered', 'os-2.1.0.bin'), randomBytes(150000));

  await s.user('rm', 'release_manager');
  await s.user('aud', 'auditor');
  const page = await s.page();
  await s.login(page, 'rm', 'rm-password-1');

  // ---- Update policy: the fleet's window, all day.
  await page.getByTestId('nav-policy').click();
  await page.getByTestId('pf-start').waitFor();
  await s.shot(page, 'policy-fleet-zh');
  await page.getByTestId('pf-start').fill('00:00');
  await page.getByTestId('pf-end').fill('00:00');
  const preview = page.getByTestId('preview');
  await s.expect('the fleet preview counts all six terminals, as the server lists them',
    async () => `${await preview.getAttribute('data-in-scope', { timeout: 2000 })}/${await preview.getAttribute('data-changing', { timeout: 2000 })}`,
    (v) => v === '6/6');
  await page.getByTestId('pf-save').click();
  await page.getByText('每次更改都要填写原因').waitFor();
  s.check(JSON.stringify((await s.api('GET', '/policy')).body.patch) === '{}',
    'a save without a reason is refused in the form; nothing reached the server');
  await page.getByTestId('pf-reason').fill('全天允许更新，便于试点');
  await page.getByTestId('pf-save').click();
  await page.getByTestId('policy-saved').waitFor();
  const fleetWindow = (await s.api('GET', '/policy')).body.effective.window;
  s.check(fleetWindow.start === '00:00' && fleetWindow.end === '00:00', 'the server holds the all-day window');
  await page.locator('[data-testid=policy-history] >> text=全天允许更新，便于试点').waitFor();
  s.check(true, 'the history shows the change with its reason');

  // ---- A group: north to never, previewed against the real count.
  await page.getByTestId('scope-group').click();
  await page.getByTestId('scope-key').fill('north');
  await page.getByTestId('scope-open').click();
  await page.getByText('分组：north').waitFor();
  await page.getByTestId('pf-mode').getByText('永不').click();
  await s.expectAttr(preview, 'data-changing', String(await count('group=north')),
    'the group preview says 2 terminals change, the number in north');
  const northChanging = Number(await preview.getAttribute('data-changing'));
  s.check(northChanging === 2, 'north holds the two terminals');
  await page.getByTestId('pf-reason').fill('北区暂停自动更新');
  await page.getByTestId('pf-save').click();
  await page.getByTestId('policy-saved').waitFor();
  s.check((await count('mode=never')) === northChanging, 'exactly the previewed terminals now run never');
  await s.shot(page, 'policy-group-zh');

  // ---- Bulk edit by filter: south to manual.
  await page.getByTestId('tab-bulk').click();
  await page.getByTestId('bulk-filter-group').fill('south');
  await page.getByTestId('pf-mode').getByText('手动').click();
  await s.expectAttr(page.locator('[data-testid=preview][data-in-scope="2"]'), 'data-changing', '2',
    'the bulk preview counts the two south terminals');
  await page.getByTestId('pf-reason').fill('南区改为手动确认');
  await page.getByTestId('pf-save').click();
  await page.locator('.ant-modal-confirm-title', { hasText: '确定要更改 2 台终端的策略吗？' }).waitFor();
  s.check(true, 'the confirmation names the count');
  await s.shot(page, 'policy-bulk-confirm-zh');
  await page.getByTestId('bulk-confirm-ok').click();
  await page.getByTestId('bulk-result').waitFor();
  s.check((await count('mode=manual&group=south')) === 2 && (await count('mode=manual')) === 2,
    'the bulk edit changed the two south terminals and no other');
  const southHistory = (await s.api('GET', '/policy?terminal=WEB2003')).body.history;
  s.check(southHistory[0]?.reason === '南区改为手动确认', 'each terminal has its own history entry with the reason');

  // ---- Releases: refusals first, then the signed release.
  await page.getByTestId('nav-releases').click();
  await page.getByTestId('empty').waitFor();
  await s.shot(page, 'releases-empty-zh');
  const upload = async (manifestDir, files) => {
    await page.getByTestId('release-upload').click();
    await page.locator('input[type=file][accept*=json]').setInputFiles(join(manifestDir, 'manifest.json'));
    if (files.length) await page.locator('input[type=file][multiple]').setInputFiles(files);
    await page.getByTestId('upload-start').click();
  };
  // The upload's end, its error or its success, as the dialog says it. The browser hashes each
  // file, asks for and PUTs each artifact, then the server checks the signature: on a loaded
  // machine that chain can outlast a click's 15 s, so the end is waited for on its own budget,
  // and a different end than expected fails with what the dialog said instead of a timeout.
  const uploadEnd = async () => {
    const end = page.getByTestId('upload-error').or(page.getByTestId('upload-done'));
    await end.first().waitFor({ timeout: 90000 });
    return (await end.first().textContent()) ?? '';
  };
  const closeUpload = async () => {
    await page.getByTestId('upload-close').click();
    await page.getByTestId('upload-start').waitFor({ state: 'detached' });
  };
  await upload(good, []);
  const missingEnd = await uploadEnd();
  s.check(missingEnd.includes('缺少组件 操作系统 的文件 os-2.1.0.bin'), `a missing component file is named (${missingEnd})`);
  await closeUpload();
  await upload(good, [join(s.work, 'tampered', 'os-2.1.0.bin'), join(good, 'app-2.1.0.bin')]);
  const tamperedEnd = await uploadEnd();
  s.check(tamperedEnd.includes('与清单不符') && (await s.api('GET', '/releases')).body.releases.length === 0,
    `a file whose SHA-256 differs from the manifest is refused in the browser (${tamperedEnd})`);
  await closeUpload();
  await upload(rogue, [join(rogue, 'os-3.0.0.bin'), join(rogue, 'app-3.0.0.bin')]);
  const rogueEnd = await uploadEnd();
  s.check(rogueEnd.includes('服务器拒绝了签名') && (await s.api('GET', '/releases/3.0.0')).status === 404,
    `a release signed by an unknown key is refused by the server (${rogueEnd})`);
  await closeUpload();
  await upload(good, [join(good, 'os-2.1.0.bin'), join(good, 'app-2.1.0.bin')]);
  const goodEnd = await uploadEnd();
  s.check(goodEnd.includes('2.1.0'), `the signed release is published (${goodEnd})`);
  await s.expectAttr(page.getByTestId('upload-step-os'), 'data-state', 'done', 'the os artifact was uploaded');
  await s.shot(page, 'releases-upload-zh');
  await closeUpload();
  await page.getByTestId('release-2.1.0').click();
  await page.getByTestId('release-components').getByText('支付应用').waitFor();
  const keyId = JSON.parse(readFileSync(join(s.work, 'release.pub'), 'utf8')).keyid;
  await s.expectAttr(page.getByTestId('release-signature'), 'data-verified', 'true', 'the signature is shown as verified by the server');
  await s.expectText(page.getByTestId('release-key').first(), (t) => t === keyId, 'the signing key id is shown');
  await s.expectText(page.getByTestId('release-notes-zh'), '修复刷卡问题', 'the Chinese notes are shown');
  await s.expectVisible(page.getByTestId('release-security'), 'the release is marked security-critical');
  await page.getByTestId('deadline-input').fill('2027-01-15T09:30');
  await page.getByTestId('deadline-save').click();
  await page.getByText('每次更改都要填写原因').waitFor();
  await page.getByTestId('deadline-reason').fill('CVE 修复，月底前完成');
  await page.getByTestId('deadline-save').click();
  await page.getByTestId('deadline-saved').waitFor();
  s.check((await s.api('GET', '/releases/2.1.0')).body.security_deadline === '2027-01-15T01:30:00Z',
    'the deadline entered in Shanghai time is stored in UTC');
  await s.shot(page, 'release-detail-zh');
  // Who receives it: the whole fleet, until the acquirer gives it to a reseller for a pilot.
  await s.expectText(page.getByTestId('release-receivers'), '全部终端', 'a release goes to the whole fleet at first');
  const east = (await s.api('POST', '/organisations', { name: '华东代理', kind: 'reseller' })).body;
  await page.keyboard.press('Escape');
  await page.getByTestId('release-2.1.0').click();  // opened again: the picker lists the new reseller
  await s.choose(page, 'receivers-picker', '华东代理');
  await page.getByTestId('receivers-reason').fill('华东试点');
  await page.getByTestId('receivers-save').click();
  await page.getByTestId('receivers-saved').waitFor();
  await s.expectText(page.getByTestId('release-receivers'), '华东代理', 'the drawer names the reseller');
  s.check((await s.api('GET', '/releases/2.1.0')).body.organisation === east.id, 'the server gave it to the reseller');
  await s.shot(page, 'release-receivers-zh');
  s.check((await s.api('PUT', '/releases/2.1.0/organisation', { organisation: 1, reason: '全网发布' })).status === 200,
    'and back to the whole fleet');
  await page.keyboard.press('Escape');

  // ---- Deployments: to listed serials, previewed, then watched to success.
  await page.getByTestId('nav-deployments').click();
  await page.getByTestId('assign-form').waitFor();
  await s.choose(page, 'assign-release', '2.1.0');
  await page.getByTestId('target-terminals').click();
  await page.getByTestId('assign-serials').fill('WEB1001, WEB3001 NOPE1');
  await page.getByTestId('assign-submit').click();
  await page.locator('.ant-modal-confirm-title', { hasText: '将为 1 台终端创建部署' }).waitFor();
  const confirmText = await page.locator('.ant-modal-confirm-content').textContent();
  s.check(confirmText.includes('型号不符 1') && confirmText.includes('未知序列号 1'),
    'the preview says why the other two are skipped');
  await page.getByTestId('assign-confirm-ok').click();
  await page.getByTestId('assign-result').waitFor();
  await page.locator('[data-testid=row-state-WEB1001]').waitFor();
  await s.shot(page, 'deployments-running-zh');
  await page.locator('[data-testid=row-state-WEB1001][data-state=success]').waitFor({ timeout: 120000 });
  await s.expectAttr(page.getByTestId('count-success'), 'data-count', '1', 'the progress counts one success');
  await s.waitFor('the agent to run 2.1.0', async () => (await agent.status())?.version === '2.1.0', 30000);
  s.check(startVersion !== '2.1.0', `the agent now runs 2.1.0 (was ${startVersion})`);
  await s.shot(page, 'deployments-success-zh');

  // ---- A release with a delta patch from 2.1.0: uploaded with its patch, listed on the
  // release's page, used by the agent, and what it saved shown with the progress.
  const os21 = readFileSync(join(good, 'os-2.1.0.bin'));
  const os22 = Buffer.concat([os21.subarray(0, 5000), Buffer.from('2.2.0: card reader fix'), os21.subarray(5000)]);
  s.cli('release', 'create', '--dir', 'rel-2.2.0', '--version', '2.2.0', '--model', 'A920',
    '--component', `os=${write('os-2.2.0.bin', os22)}`,
    '--component', `payment-app=${write('app-2.2.0.bin', Buffer.from('pay-app 2.2.0'))}`,
    '--mandatory', 'os', '--depends', 'payment-app=os', '--zchunk', 'os');
  s.cli('release', 'delta', '--from', 'rel-2.1.0', '--to', 'rel-2.2.0');
  s.cli('release', 'sign', '--dir', 'rel-2.2.0', '--key', 'release.key');
  const withDelta = join(s.work, 'rel-2.2.0');
  const patch = JSON.parse(readFileSync(join(withDelta, 'manifest.json'), 'utf8')).signed.components
    .find((c) => c.name === 'os').deltas[0];
  await page.getByTestId('nav-releases').click();
  await upload(withDelta, ['os-2.2.0.bin', 'app-2.2.0.bin', patch.filename, 'os-2.2.0.bin.zck']
    .map((f) => join(withDelta, f)));
  const deltaEnd = await uploadEnd();
  s.check(deltaEnd.includes('2.2.0'), `the release with a patch is published (${deltaEnd})`);
  await s.expectAttr(page.getByTestId(`upload-step-${patch.filename}`), 'data-state', 'done', 'the patch was uploaded');
  await s.expectAttr(page.getByTestId('upload-step-os-2.2.0.bin.zck'), 'data-state', 'done',
    'the zchunk file was uploaded');
  await closeUpload();
  await page.getByTestId('release-2.2.0').click();
  await s.expectText(page.getByTestId('deltas-os'), (t) => t.includes('从 2.1.0') && t.includes('B'),
    "the os component's patch from 2.1.0 is listed with its size");
  await s.expectText(page.getByTestId('zchunk-os'), (t) => t.includes('按块差分') && t.includes('B'),
    "the os component's zchunk file is listed with its size");
  await s.shot(page, 'release-deltas-zh');
  await page.keyboard.press('Escape');
  s.check((await s.api('POST', '/deployments', { release: '2.2.0', terminals: ['WEB1001'] })).status === 201,
    'the release with a patch is deployed to the agent');
  await page.getByTestId('nav-deployments').click();
  await s.choose(page, 'watch-release', '2.2.0');
  await page.locator('[data-testid=row-state-WEB1001][data-state=success]').waitFor({ timeout: 120000 });
  await s.expectText(page.getByTestId('progress-saved'), '差分包节省', 'the progress shows what the patch saved');
  const bytes = (await s.api('GET', '/releases/2.2.0/progress')).body.bytes;
  s.check(bytes.sent === patch.length + 'pay-app 2.2.0'.length && bytes.full === os22.length + 'pay-app 2.2.0'.length,
    `the terminal downloaded the patch, not the full image (${JSON.stringify(bytes)})`);
  await s.shot(page, 'deployments-delta-saved-zh');

  // ---- The API refuses what the forms refuse.
  const auditor = (await s.api('POST', '/tokens', { name: 'aud-token', role: 'auditor' })).body.token;
  const rmToken = (await s.api('POST', '/tokens', { name: 'rm-token', role: 'release_manager' })).body.token;
  const refusals = [
    ['bad scope', await s.api('POST', '/policy/preview', { scope: 'region', key: 'x', patch: { mode: 'never' } }), 400],
    ['group preview without its name', await s.api('POST', '/policy/preview', { scope: 'group', patch: { mode: 'never' } }), 400],
    ['bulk without a reason', await s.api('POST', '/policy/bulk', { filter: { group: 'south' }, patch: { mode: 'never' } }), 400],
    ['bulk over the cap', await s.api('POST', '/policy/bulk', { filter: { q: 'WEB' }, patch: { mode: 'never' }, reason: 'all' }), 400],
    ['deployment over the cap', await s.api('POST', '/deployments', { release: '2.1.0', filter: { q: 'WEB' } }), 400],
    ['deployment without a target', await s.api('POST', '/deployments', { release: '2.1.0' }), 400],
    ['deployment of an unknown release', await s.api('POST', '/deployments', { release: '9.9.9', group: 'north' }), 404],
    ['deadline without a reason', await s.api('PUT', '/releases/2.1.0/deadline', { deadline: '2027-02-01T00:00:00Z' }), 400],
    ['auditor bulk edit', await s.api('POST', '/policy/bulk', { filter: { group: 'south' }, patch: { mode: 'never' }, reason: 'x' }, auditor), 403],
    ['auditor deployment', await s.api('POST', '/deployments', { release: '2.1.0', group: 'north' }, auditor), 403],
    ['bulk with a filter of no condition', await s.api('POST', '/policy/bulk', { filter: {}, patch: { mode: 'never' }, reason: 'x' }), 400],
    ['bulk with a misspelt filter field', await s.api('POST', '/policy/bulk', { filter: { modle: 'A920' }, patch: { mode: 'never' }, reason: 'x' }), 400],
    ['deployment with a filter of no condition', await s.api('POST', '/deployments', { release: '2.1.0', filter: {} }), 400],
    ['release manager bulk lock', await s.api('POST', '/policy/bulk', { filter: { group: 'south' }, patch: { locked: true, lock_reason: 'x' }, reason: 'x' }, rmToken), 403],
  ];
  for (const [what, r, status] of refusals) s.check(r.status === status, `API refuses: ${what} (${r.status})`);
  const cap = refusals[3][1].body.error.message;
  s.check(cap.includes('narrow the filter') && cap.includes('group policy'), 'the cap refusal says what to do');
  s.check((await s.api('POST', '/policy/preview', { scope: 'region', patch: {} }, auditor)).status === 400,
    'an auditor may preview (read) but gets the same validation');
  const group = await s.api('POST', '/deployments', { release: '2.1.0', group: 'north' });
  s.check(group.status === 201 && group.body.created === 2, 'a deployment to a group creates one per terminal');
  const again = await s.api('POST', '/deployments', { release: '2.1.0', group: 'north' });
  s.check(again.body.created === 0 && again.body.skipped.already_open === 2, 'a second one skips terminals already deploying it');

  // ---- English, and a tablet.
  await page.getByTestId('lang').click();
  await page.getByTestId('nav-releases').getByText('Releases').click();
  await page.getByTestId('release-2.1.0').waitFor();
  await s.shot(page, 'releases-en');
  await page.getByTestId('nav-deployments').click();
  await page.getByText('Assign a release').waitFor();
  await s.shot(page, 'deployments-en');
  await page.getByTestId('lang').click();
  const tablet = await s.page({ width: 768, height: 1024 });
  await s.login(tablet, 'rm', 'rm-password-1');
  await tablet.goto(s.url + '/deployments');
  await tablet.locator('[data-testid=row-state-WEB1001][data-state=success]').waitFor();
  await s.shot(tablet, 'deployments-tablet-768');
  await tablet.goto(s.url + '/policy');
  await tablet.getByTestId('pf-start').waitFor();
  await s.shot(tablet, 'policy-tablet-768');

  // ---- An auditor sees everything and can change nothing.
  const audPage = await s.page();
  await s.login(audPage, 'aud', 'aud-password-1');
  await audPage.goto(s.url + '/policy');
  await audPage.getByTestId('policy-read-only').waitFor();
  s.check((await audPage.getByTestId('pf-save').count()) === 0 && (await audPage.getByTestId('tab-bulk').count()) === 0,
    'an auditor sees no policy form and no bulk edit');
  await s.shot(audPage, 'policy-auditor-zh');
  await audPage.goto(s.url + '/releases');
  await audPage.getByTestId('release-2.1.0').click();
  await audPage.getByTestId('release-components').waitFor();
  s.check((await audPage.getByTestId('release-upload').count()) === 0 && (await audPage.getByTestId('deadline-form').count()) === 0,
    'an auditor sees no upload and no deadline form');
  await audPage.goto(s.url + '/deployments');
  await audPage.getByTestId('deploy-read-only').waitFor();
  s.check((await audPage.getByTestId('assign-form').count()) === 0 && (await audPage.locator('[data-testid^=cancel-]').count()) === 0,
    'an auditor sees no assign form and no cancel button');
});

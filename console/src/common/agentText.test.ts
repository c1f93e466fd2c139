// What terminals report reaches a Chinese reader in Chinese: known agent lines
// are translated, an unknown line becomes its error code's sentence, sizes are
// in MB, and server errors never show their English text to a Chinese reader.
import { afterEach, describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { ApiError } from '../api';
import { agentLine } from './agentText';
import { errorText } from './errors';
import { formatSize } from './sizes';
import { componentName } from './components';

const latin = (s: string) => (s.replace(/Wi-Fi|USB|MB|KB|\d+(\.\d+)?/g, '').match(/[A-Za-z]{2,}/g) ?? []);

describe('agent lines', () => {
  afterEach(async () => {
    await i18n.changeLanguage('zh-CN');
  });
  const t = i18n.t.bind(i18n);

  it.each([
    ['downloaded 40%', '已下载 40%', 'Downloaded 40%'],
    ['downloading 52428800 bytes', '开始下载（52.4 MB）', 'Download started (52.4 MB)'],
    ['installed 2.1.0 on slot b; booted and healthy', '已安装 2.1.0（B 槽），重启后运行正常',
      'Installed 2.1.0 on slot B; booted and healthy'],
    ['waiting: waiting for the maintenance window to install', '等待维护时段再安装', 'Waiting for the maintenance window to install'],
    ['download failed (not_found): HTTP 404; attempt 3 of 10, next in 40 s', '下载失败，第 3 次（最多 10 次），40 秒后重试',
      'Download failed, attempt 3 of 10; trying again in 40 s'],
    ['release 2.1.0 is already installed (the same signed manifest); nothing was installed',
      '版本 2.1.0 已经安装（同一个签名清单），无需再装', 'Release 2.1.0 is already installed (the same signed manifest); nothing to install'],
  ])('%s', async (line, zh, en) => {
    expect(agentLine(t, 'zh-CN', line)).toBe(zh);
    await i18n.changeLanguage('en');
    expect(agentLine(i18n.t.bind(i18n), 'en', line)).toBe(en);
  });

  it('an unknown line: its code in Chinese, the line itself in English', () => {
    const line = 'signature by key 1234 does not verify';
    expect(agentLine(t, 'zh-CN', line, 10)).toBe('签名无效，已拒绝安装');
    expect(latin(agentLine(t, 'zh-CN', line))).toEqual([]);
    expect(agentLine(t, 'en', line, 10)).toBe(line);
  });

  it('sizes in MB', () => {
    expect(formatSize(150000)).toBe('150.0 KB');
    expect(formatSize(52428800)).toBe('52.4 MB');
    expect(formatSize(512)).toBe('512 B');
  });

  it('component names', async () => {
    expect(componentName(t, 'os')).toBe('操作系统');
    expect(componentName(t, 'payment-app')).toBe('支付应用');
    expect(componentName(t, 'printer-fw')).toBe('printer-fw');
    await i18n.changeLanguage('en');
    expect(componentName(i18n.t.bind(i18n), 'payment-app')).toBe('Payment app');
  });
});

describe('server errors', () => {
  afterEach(async () => {
    await i18n.changeLanguage('zh-CN');
  });

  it('in Chinese: the code\'s sentence, never the English message', () => {
    const e = new ApiError(400, 'invalid_argument', 'window start must be HH:MM');
    expect(errorText(i18n.t.bind(i18n), e)).toBe('填写有误');
    expect(errorText(i18n.t.bind(i18n), new ApiError(500, 'internal', 'sqlite: disk I/O error'))).toBe('服务器内部错误，请稍后再试');
    expect(errorText(i18n.t.bind(i18n), new ApiError(418, 'teapot', 'short and stout'))).toBe('出错了，请稍后再试');
  });

  it('in English: the sentence, with the message where it says what to correct', async () => {
    await i18n.changeLanguage('en');
    const e = new ApiError(400, 'invalid_argument', 'window start must be HH:MM');
    expect(errorText(i18n.t.bind(i18n), e)).toBe('Please check what you entered: window start must be HH:MM');
    expect(errorText(i18n.t.bind(i18n), new ApiError(418, 'teapot', 'short and stout'))).toBe('Something went wrong; please try again');
  });
});

// What a terminal's agent reports (DDI feedback lines, which it writes in
// English) and the stable error codes it sends (core/result.h), in the
// reader's language. Known lines are matched whole; a line not known here is
// shown as is in English and, in Chinese, replaced by a sentence built from
// its error code (the raw line stays in the element's title for support).
import type { TFunction } from 'i18next';
import { formatSize } from './sizes';

type Rule = [RegExp, string, (m: RegExpMatchArray) => Record<string, string>];

const none = () => ({});
const RULES: Rule[] = [
  [/^downloaded (\d{1,3})%$/, 'agent_downloaded', (m) => ({ n: m[1] })],
  [/^downloading (\d{1,15}) bytes$/, 'agent_downloading', (m) => ({ size: formatSize(Number(m[1])) })],
  [/^pre-checks passed; installing$/, 'agent_prechecked', none],
  [/^installed (\S{1,64}) to slot ([ab]); restarting into it$/, 'agent_restarting', (m) => ({ v: m[1], slot: m[2].toUpperCase() })],
  [/^installed (\S{1,64}) on slot ([ab]); booted and healthy$/, 'agent_installed', (m) => ({ v: m[1], slot: m[2].toUpperCase() })],
  [/^canceled by the operator$/, 'agent_canceled', none],
  [/^cancel requested by operator$/, 'agent_cancelRequested', none],
  [/^canceled on the terminal$/, 'agent_canceledOnTerminal', none],
  [/^terminal refused to cancel$/, 'agent_cancelRefused', none],
  [/^nothing of this action runs on the terminal$/, 'agent_nothingRuns', none],
  [/^already installing; the update runs to its end$/, 'agent_alreadyInstalling', none],
  [/^update failed$/, 'agent_failed', none],
  [/^download failed \(([a-z_]{1,32})\): .{0,300}; attempt (\d{1,4}) of (\d{1,4}), next in (\d{1,6}) s$/, 'agent_downloadRetry',
    (m) => ({ n: m[2], max: m[3], s: m[4] })],
  [/^release (\S{1,64}) is already installed \(the same signed manifest\); nothing was installed$/, 'agent_unchanged',
    (m) => ({ v: m[1] })],
  [/^waiting: the download failed; it is tried again shortly \(attempt (.{1,16})\)$/, 'wait_downloadRetry', (m) => ({ x: m[1] })],
  [/^waiting: the server is busy; the download continues shortly$/, 'wait_serverBusy', none],
  // The agent's reasons to wait (agent/steps/precheck.cc), after "waiting: ".
  [/^waiting: battery low \((.{1,32})\); connect the charger$/, 'wait_battery', (m) => ({ x: m[1] })],
  [/^waiting: not enough storage \((.{1,32}) more needed\); free some space$/, 'wait_storage', (m) => ({ x: m[1] })],
  [/^waiting: a payment is in progress; the update waits until it is done$/, 'wait_transaction', none],
  [/^waiting: disconnect USB and other peripherals \((.{1,64})\)$/, 'wait_peripherals', (m) => ({ x: m[1] })],
  [/^waiting: no network; the download continues when the terminal is online$/, 'wait_offline', none],
  [/^waiting: on cellular data; waiting for Wi-Fi as the policy asks$/, 'wait_cellular', none],
  [/^waiting: the update \((.{1,32})\) is larger than the cellular limit; waiting for Wi-Fi$/, 'wait_cellular_limit',
    (m) => ({ x: m[1] })],
  [/^waiting: waiting for the maintenance window to install$/, 'wait_window', none],
  [/^waiting: updates are turned off; the update is paused$/, 'wait_policy', none],
];

// The sentence for a stable error code (0: none), or '' when not known.
export function codeText(t: TFunction, code: number | undefined): string {
  return code ? t(`code_${code}`, { defaultValue: '' }) : '';
}

// A line the agent reported, in the reader's language.
export function agentLine(t: TFunction, lang: string, line: string, code?: number): string {
  if (!line) return '';
  for (const [re, key, args] of RULES) {
    const m = line.match(re);
    if (m) return t(key, args(m));
  }
  if (lang === 'en') return line;
  return codeText(t, code) || t('agent_other');
}

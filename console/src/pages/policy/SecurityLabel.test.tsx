// The "never defers security" setting says what the server does with it, in
// both languages and for both values. The server's decision (core/policy.cc
// decide(), core/policy_test.cc DecisionTable), for a terminal set to never
// and a signed security release past its deadline, in its window:
//   never_defers_security false → allow ("security_deadline"): it installs;
//   never_defers_security true  → deny ("mode_never"): it is held back.
// So the switch turned on must read as "held back", and the summary of each
// value must say whether such a terminal installs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import i18n from '../../i18n';
import PolicyForm from './PolicyForm';
import { PolicySummary } from './ScopeEditor';
import { Policy, valuesOf } from './patch';

// What the server decides for a `never` terminal and an overdue security release.
const serverInstalls = (neverDefers: boolean) => !neverDefers;

const fleet = (neverDefers: boolean): Policy => ({
  mode: 'never',
  window: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00', tz: 'Asia/Shanghai' },
  cellular: 'allowed',
  cellular_limit_mb: 0,
  never_defers_security: neverDefers,
  security_deadline_days: 30,
  locked: false,
  lock_reason: '',
});

// The words that state each outcome, per language.
const says = {
  'zh-CN': { label: '允许"永不"一直推迟安全更新', installs: '设为"永不"的终端也会安装', held: '不会被强制安装安全更新' },
  en: { label: 'Let "Never" hold back security updates for good', installs: 'installs even on terminals set to Never',
        held: 'not made to install security updates' },
};

describe.each(['zh-CN', 'en'] as const)('never defers security (%s)', (lang) => {
  afterEach(async () => {
    await i18n.changeLanguage('zh-CN');
  });

  it.each([true, false])('value %s: the summary says what the server decides', async (neverDefers) => {
    await i18n.changeLanguage(lang);
    render(<PolicySummary p={fleet(neverDefers)} testId="effective" />);
    const text = screen.getByTestId('effective').textContent ?? '';
    const w = says[lang];
    if (serverInstalls(neverDefers)) {
      expect(text).toContain(w.installs);
      expect(text).not.toContain(w.held);
    } else {
      expect(text).toContain(w.held);
      expect(text).not.toContain(w.installs);
    }
  });

  it.each([true, false])('value %s: the switch is on exactly when the label holds', async (neverDefers) => {
    await i18n.changeLanguage(lang);
    render(<PolicyForm initial={valuesOf(fleet(neverDefers))} fleet canLock={false} onSubmit={vi.fn()} />);
    // The label names what "on" means: security updates held back.
    expect(screen.getByText(says[lang].label)).toBeTruthy();
    const on = screen.getByTestId('pf-never-defers').getAttribute('aria-checked') === 'true';
    expect(on).toBe(!serverInstalls(neverDefers));
  });
});

// The policy form asks for a reason, checks the window's times, and asks for
// a lock's reason when locking — in Chinese and in English — before anything
// is sent; a valid change sends only what changed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import PolicyForm from './PolicyForm';
import { valuesOf } from './patch';

const fleet = valuesOf({
  mode: 'auto',
  window: { days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00', tz: 'Asia/Shanghai' },
  cellular: 'allowed',
  cellular_limit_mb: 0,
  never_defers_security: false,
  security_deadline_days: 30,
  locked: false,
  lock_reason: '',
});

function renderForm(canLock = false) {
  const onSubmit = vi.fn();
  render(<PolicyForm initial={fleet} fleet canLock={canLock} onSubmit={onSubmit} />);
  return onSubmit;
}

describe('policy form', () => {
  afterEach(async () => {
    await i18n.changeLanguage('zh-CN');
  });

  it('refuses a save without a reason (zh-CN)', async () => {
    const onSubmit = renderForm();
    fireEvent.click(screen.getByText('永不'));
    fireEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByText('每次更改都要填写原因')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('refuses a save without a reason (English)', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = renderForm();
    fireEvent.click(screen.getByText('Never'));
    fireEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByText('Every change needs a reason')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('checks the window times (zh-CN)', async () => {
    const onSubmit = renderForm();
    fireEvent.change(screen.getByTestId('pf-start'), { target: { value: '25:00' } });
    fireEvent.change(screen.getByTestId('pf-reason'), { target: { value: '夜间维护' } });
    fireEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByText('请按 时:分 填写，如 22:00')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('checks the window times (English)', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = renderForm();
    fireEvent.change(screen.getByTestId('pf-end'), { target: { value: '6pm' } });
    fireEvent.change(screen.getByTestId('pf-reason'), { target: { value: 'night work' } });
    fireEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByText('Use hours:minutes, e.g. 22:00')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('asks for the lock reason when locking (zh-CN)', async () => {
    const onSubmit = renderForm(true);
    fireEvent.click(screen.getByTestId('pf-locked'));
    await screen.findByTestId('pf-lock-reason');
    fireEvent.change(screen.getByTestId('pf-reason'), { target: { value: '银行审计期间' } });
    fireEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByText('锁定时必须填写原因，终端会把它显示给商户')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('asks for the lock reason when locking (English)', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = renderForm(true);
    fireEvent.click(screen.getByTestId('pf-locked'));
    await screen.findByTestId('pf-lock-reason');
    fireEvent.change(screen.getByTestId('pf-reason'), { target: { value: 'bank audit' } });
    fireEvent.click(screen.getByTestId('pf-save'));
    expect(await screen.findByText('A lock needs a reason; the terminal shows it to the merchant')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('hides the lock from roles that may not lock', () => {
    renderForm(false);
    expect(screen.queryByTestId('pf-locked')).toBeNull();
  });

  it('sends only what changed, with the reason', async () => {
    const onSubmit = renderForm();
    fireEvent.click(screen.getByText('手动'));
    fireEvent.change(screen.getByTestId('pf-end'), { target: { value: '05:30' } });
    fireEvent.change(screen.getByTestId('pf-reason'), { target: { value: ' 试点 ' } });
    fireEvent.click(screen.getByTestId('pf-save'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalled());
    expect(onSubmit.mock.calls[0][0]).toEqual({
      mode: 'manual',
      window: { days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '05:30', tz: 'Asia/Shanghai' },
    });
    expect(onSubmit.mock.calls[0][1]).toBe('试点');
  });
});

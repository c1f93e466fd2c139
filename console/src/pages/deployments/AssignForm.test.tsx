// The deployment form needs a release and a target (and the target's
// details) before it hands anything on — in Chinese and in English.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import AssignForm from './AssignForm';

describe('deployment form', () => {
  afterEach(async () => {
    await i18n.changeLanguage('zh-CN');
  });

  it('requires a release and a target (zh-CN)', async () => {
    const onSubmit = vi.fn();
    render(<AssignForm releases={['2.1.0']} onSubmit={onSubmit} />);
    fireEvent.click(screen.getByTestId('assign-submit'));
    expect(await screen.findByText('请选择要部署的版本')).toBeTruthy();
    expect(await screen.findByText('请选择部署目标')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('requires a release and a target (English)', async () => {
    await i18n.changeLanguage('en');
    const onSubmit = vi.fn();
    render(<AssignForm releases={['2.1.0']} onSubmit={onSubmit} />);
    fireEvent.click(screen.getByTestId('assign-submit'));
    expect(await screen.findByText('Choose the release to deploy')).toBeTruthy();
    expect(await screen.findByText('Choose what to deploy to')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('requires serials for a list of terminals', async () => {
    const onSubmit = vi.fn();
    render(<AssignForm releases={['2.1.0']} onSubmit={onSubmit} />);
    fireEvent.click(screen.getByTestId('target-terminals'));
    await screen.findByTestId('assign-serials');
    fireEvent.click(screen.getByTestId('assign-submit'));
    expect(await screen.findByText('请至少填写一个终端序列号')).toBeTruthy();
    fireEvent.change(screen.getByTestId('assign-serials'), { target: { value: 'PF/1' } });
    expect(await screen.findByText('序列号只能包含字母、数字、.、- 和 _')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('hands on the release and the listed serials', async () => {
    const onSubmit = vi.fn();
    const { container } = render(<AssignForm releases={['2.1.0']} onSubmit={onSubmit} />);
    fireEvent.mouseDown(container.querySelector('[data-testid="assign-release"] input, .ant-select-selector')!);
    fireEvent.click(await screen.findByTitle('2.1.0'));
    fireEvent.click(screen.getByTestId('target-terminals'));
    fireEvent.change(await screen.findByTestId('assign-serials'), { target: { value: 'PF1, PF2\nPF1' } });
    fireEvent.click(screen.getByTestId('assign-submit'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalled());
    expect(onSubmit.mock.calls[0][0]).toEqual({ release: '2.1.0', terminals: ['PF1', 'PF2', 'PF1'] });
  });
});

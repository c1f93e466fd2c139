// Giving a submitted application to another organisation: the caller's subtree is offered, where
// it is now greyed out; an organisation and a reason are asked for before anything is sent; what
// is sent is the chosen organisation's id and the trimmed reason; the server's refusal is said in
// words.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import type { Organisation } from '../organisations/organisationList';
import GiveForm from './GiveForm';
import type { Application } from './types';

const APP = { id: 7, number: 'PA23456789', status: 'submitted', organisation: 1 } as Application;
const org = (id: number, parent: number | null, kind: Organisation['kind'], name: string, depth: number): Organisation =>
  ({ id, parent, kind, name, depth, terminals: 0, created_by: 'admin' });
const ORGS = [org(1, null, 'acquirer', '', 0), org(2, 1, 'reseller', '华东代理', 1), org(4, 2, 'merchant', '西湖茶馆', 2)];

function reply(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

async function choose(name: string) {
  fireEvent.mouseDown(screen.getByTestId('give-picker').querySelector('.ant-select-selector') ?? screen.getByTestId('give-picker'));
  fireEvent.click(await screen.findByTestId(`give-picker-${ORGS.find((o) => o.name === name)!.id}`));
}

afterEach(async () => {
  vi.restoreAllMocks();
  await i18n.changeLanguage('zh-CN');
});

describe('give an application to another organisation', () => {
  it('asks for an organisation and a reason before sending anything', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    render(<GiveForm app={APP} orgs={ORGS} onDone={() => undefined} />);
    fireEvent.click(screen.getByTestId('give-submit'));
    expect(await screen.findByText('请选择组织')).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('sends the organisation and the trimmed reason, and hands back the application', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(reply(200, { ...APP, organisation: 2 }));
    const onDone = vi.fn();
    render(<GiveForm app={APP} orgs={ORGS} onDone={onDone} />);
    await choose('华东代理');
    fireEvent.change(screen.getByTestId('give-reason'), { target: { value: ' 华东代理发展的商户 ' } });
    fireEvent.click(screen.getByTestId('give-submit'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const [url, init] = fetchSpy.mock.calls[0];
    expect(url).toBe('/api/v1/applications/7/organisation');
    expect(init?.method).toBe('PUT');
    expect(JSON.parse(String(init?.body))).toEqual({ organisation: 2, reason: '华东代理发展的商户' });
    expect(onDone.mock.calls[0][0].organisation).toBe(2);
  });

  it('says the server’s refusal in words (en)', async () => {
    await i18n.changeLanguage('en');
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(
      reply(409, { error: { code: 'wrong_state', message: 'application PA23456789 is approved; only a submitted application can be given to another organisation' } }));
    render(<GiveForm app={APP} orgs={ORGS} onDone={() => undefined} />);
    await choose('西湖茶馆');
    fireEvent.change(screen.getByTestId('give-reason'), { target: { value: 'signed by the shop' } });
    fireEvent.click(screen.getByTestId('give-submit'));
    expect((await screen.findByTestId('give-error')).textContent).toContain('only a submitted application');
  });
});

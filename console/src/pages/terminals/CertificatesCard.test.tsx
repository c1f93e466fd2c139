// A terminal's certificates: listed with their state; an administrator
// revokes them with a reason (sent to the server), others see no button.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import CertificatesCard from './CertificatesCard';
import DeviceAuthSetting from '../policy/DeviceAuthSetting';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
const cert = {
  fingerprint: 'ab'.repeat(32), serial_number: '0A1B', issued: '2026-11-24T08:00:00Z',
  not_after: '2027-02-22T08:00:00Z', revoked: null as string | null, revoked_reason: '',
};

describe('terminal certificates', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lets an administrator revoke them with a reason', async () => {
    let revoked = false;
    const sent: unknown[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_input, init) => {
      if (init?.method === 'POST') {
        sent.push(JSON.parse(String(init.body)));
        revoked = true;
        return json({ serial: 'T1', revoked: 1 });
      }
      return json({ serial: 'T1', certificates: [revoked ? { ...cert, revoked: '2026-11-25T08:00:00Z', revoked_reason: 'stolen' } : cert] });
    });
    render(<CertificatesCard serial="T1" canRevoke />);
    await screen.findByTestId('cert-valid');
    fireEvent.click(screen.getByTestId('revoke-cert'));
    fireEvent.change(screen.getByTestId('revoke-cert-reason'), { target: { value: 'stolen' } });
    fireEvent.click(screen.getByTestId('revoke-cert-ok'));
    await screen.findByTestId('cert-revoked');
    expect(sent).toEqual([{ reason: 'stolen' }]);
    expect(screen.getByTestId('cert-revoked').textContent).toContain('stolen');
    expect(screen.queryByTestId('revoke-cert')).toBeNull();
  }, 60000);

  it('shows no revoke button to other roles', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json({ serial: 'T1', certificates: [cert] }));
    render(<CertificatesCard serial="T1" canRevoke={false} />);
    await screen.findByTestId('cert-valid');
    expect(screen.queryByTestId('revoke-cert')).toBeNull();
  }, 60000);

  it('switches the fleet setting and sends the reason', async () => {
    let required = true;
    const sent: unknown[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_input, init) => {
      if (init?.method === 'PUT') {
        const b = JSON.parse(String(init.body));
        sent.push(b);
        required = b.token_required;
      }
      return json({ token_required: required, device_ca: true });
    });
    render(<DeviceAuthSetting canChange />);
    const state = await screen.findByTestId('device-auth-state');
    const before = state.textContent;
    fireEvent.change(screen.getByTestId('device-auth-reason'), { target: { value: 'mTLS everywhere' } });
    fireEvent.click(screen.getByTestId('device-auth-switch'));
    await waitFor(() => expect(screen.getByTestId('device-auth-state').textContent).not.toEqual(before));
    expect(sent).toEqual([{ token_required: false, reason: 'mTLS everywhere' }]);
  }, 60000);
});

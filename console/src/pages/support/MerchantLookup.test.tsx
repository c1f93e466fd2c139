// A merchant who phones in is reached without a ticket: the lookup finds
// them (masked, as the server sends them) and each of their terminals opens
// the identity check that leads to changing automatic update.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import MerchantLookup from './MerchantLookup';

const merchant = {
  id: 7,
  legal_name: '张三',
  phone: '138****8000',
  resident_id: '110105************',
  terminals: [{ serial: 'T-CALL-1', model: 'A920', version: '2.0.0', group: 'north' }],
};

describe('merchant lookup', () => {
  afterEach(() => vi.restoreAllMocks());

  it('opens the identity check for a terminal of a merchant found by name', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify({ merchants: [merchant] }), { status: 200 }),
    );
    render(<MerchantLookup />);
    fireEvent.change(screen.getByTestId('merchant-q'), { target: { value: '张三' } });
    fireEvent.click(screen.getByTestId('merchant-search'));
    await screen.findByTestId('merchant-results', {}, { timeout: 10000 });
    expect(String(fetchSpy.mock.calls[0][0])).toBe(`/api/v1/merchants?q=${encodeURIComponent('张三')}`);
    expect(screen.getByText('110105************')).toBeTruthy();
    fireEvent.click(screen.getByTestId('call-T-CALL-1'));
    expect(await screen.findByTestId('verify-identity-form', {}, { timeout: 10000 })).toBeTruthy();
    expect(screen.getByText('来电：张三 · 终端 T-CALL-1')).toBeTruthy();
  });
});

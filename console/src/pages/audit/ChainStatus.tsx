// The audit log's hash-chain check, as the server runs it (the same rule as
// `posfleet audit verify`): intact, or broken at an entry with the reason.
import { Alert, Button } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../common/useApi';

export interface ChainCheck {
  ok: boolean;
  entries: number;
  head: { id: number; hash: string };
  broken_at?: number;
  reason?: string;
}

// The server's reason in the user's language when it is one of the known four.
export function chainReason(t: TFunction, reason: string): string {
  const patterns: [RegExp, string][] = [
    [/entry (\d+) was altered/, 'why_altered'],
    [/entry (\d+) is missing/, 'why_missing'],
    [/entry (\d+) does not follow/, 'why_order'],
    [/anchor says (\d+)/, 'why_cut'],
  ];
  for (const [re, key] of patterns) {
    const m = reason.match(re);
    if (m) return t(key, { id: m[1] });
  }
  return reason;
}

export default function ChainStatus() {
  const { t } = useTranslation('audit');
  const check = useApi<ChainCheck>('/audit/verify');
  const c = check.data;
  const recheck = (
    <Button size="small" onClick={check.reload} loading={check.loading} data-testid="chain-recheck">
      {t('recheck')}
    </Button>
  );
  if (check.error)
    return <Alert type="warning" showIcon title={t('chainError', { message: check.error })} action={recheck} data-testid="chain-status" />;
  if (!c) return <Alert type="info" title={t('chainChecking')} data-testid="chain-checking" />;
  return c.ok ? (
    <Alert type="success" showIcon data-testid="chain-status" data-chain="ok" action={recheck}
           title={t('chainOk', { n: c.entries })} />
  ) : (
    <Alert type="error" showIcon data-testid="chain-status" data-chain="broken" action={recheck}
           title={t('chainBroken', { id: c.broken_at, reason: chainReason(t, c.reason ?? '') })} />
  );
}

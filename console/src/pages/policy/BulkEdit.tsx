// Bulk edit by filter: the terminal filter, what to change, a live count of
// the terminals it reaches, and — after a confirmation that names the count —
// the change applied to each terminal on its own (history, audit,
// notification; locked ones refused and counted).
import { useState } from 'react';
import { Alert, Card, Form, Modal, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, Me } from '../../api';
import { can } from '../../access';
import { errorText } from '../../common/errors';
import PolicyForm from './PolicyForm';
import PreviewLine, { Preview } from './PreviewLine';
import TerminalFilterFields, { filterOf, FilterValues } from './TerminalFilterFields';
import { Patch } from './patch';
import { usePreview } from './usePreview';

interface BulkResult {
  matched: number;
  applied: number;
  refused: number;
}

export default function BulkEdit({ me }: { me: Me }) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const [filterForm] = Form.useForm<{ filter: FilterValues }>();
  const [filter, setFilter] = useState<Record<string, string | number>>({});
  const [patch, setPatch] = useState<Patch>({});
  const [result, setResult] = useState<BulkResult | null>(null);
  const [error, setError] = useState('');
  const [round, setRound] = useState(0);
  const [modal, holder] = Modal.useModal();
  const canLock = can(me.role, 'lock');
  const previewBody = Object.keys(patch).length ? { filter, patch } : null;
  const preview = usePreview<Preview>('/policy/preview', previewBody);

  const apply = async (p: Patch, reason: string) => {
    setError('');
    setResult(null);
    let count = preview.data?.in_scope;
    try {
      if (count === undefined) count = (await api<Preview>('POST', '/policy/preview', { filter, patch: p })).in_scope;
    } catch (e) {
      setError(errorText(tc, e));
      return;
    }
    const confirmed = await modal.confirm({
      title: t('bulkConfirm', { count }),
      content: t('bulkConfirmBody', { reason }),
      okText: t('ok'),
      cancelText: t('cancel'),
      okButtonProps: { 'data-testid': 'bulk-confirm-ok' } as Record<`data-${string}`, string>,
    });
    if (!confirmed) return;
    try {
      setResult(await api<BulkResult>('POST', '/policy/bulk', { filter, patch: p, reason }));
      setPatch({});
      setRound((r) => r + 1);
    } catch (e) {
      setError(errorText(tc, e));
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {holder}
      <Card title={t('filter')}>
        <Form form={filterForm} layout="vertical" onValuesChange={(_, all) => setFilter(filterOf(all.filter))}>
          <TerminalFilterFields testPrefix="bulk-filter" />
        </Form>
      </Card>
      <Card title={t('bulkChange')}>
        <Alert type="info" title={t('bulkNote')} style={{ marginBottom: 12 }} />
        {result && (
          <Alert type="success" style={{ marginBottom: 12 }} data-testid="bulk-result"
                 title={t('bulkDone', { matched: result.matched, applied: result.applied, refused: result.refused })} />
        )}
        {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} data-testid="bulk-error" />}
        <PolicyForm
          key={round}
          initial={null}
          fleet={false}
          canLock={canLock}
          onChange={setPatch}
          onSubmit={apply}
          submitText={t('bulkApply')}
          footer={<PreviewLine show={!!previewBody} {...preview} />}
        />
      </Card>
    </Space>
  );
}

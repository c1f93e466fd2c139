// The terminal list (first page of the back office; search, filters and the
// other pages follow).
import { useEffect, useState } from 'react';
import { Alert, Button, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError, Me, Terminal } from '../../api';
import TerminalPolicy from './TerminalPolicy';

export default function Terminals({ me }: { me: Me }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<Terminal[] | null>(null);
  const [error, setError] = useState('');
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    api<{ terminals: Terminal[] }>('GET', '/terminals?limit=1000')
      .then((r) => setRows(r.terminals))
      .catch((e) => setError(t('loadFailed', { message: e instanceof ApiError ? e.message : String(e) })));
  }, [t]);

  if (error) return <Alert type="error" title={error} />;
  return (
    <>
    {open && <TerminalPolicy serial={open} me={me} onClose={() => setOpen(null)} />}
    <Table<Terminal>
      rowKey="serial"
      loading={rows === null}
      dataSource={rows ?? []}
      locale={{ emptyText: t('empty') }}
      title={() => t('terminals')}
      columns={[
        { title: t('serial'), dataIndex: 'serial' },
        { title: t('model'), dataIndex: 'model' },
        { title: t('version'), dataIndex: 'installed_version' },
        { title: t('group'), dataIndex: 'group' },
        { title: t('lastSeen'), dataIndex: 'last_seen', render: (v: string | null) => v ?? t('never') },
        {
          title: t('policy'),
          key: 'policy',
          render: (_: unknown, r: Terminal) => (
            <Button size="small" onClick={() => setOpen(r.serial)} data-testid={`policy-${r.serial}`}>
              {t('policy')}
            </Button>
          ),
        },
      ]}
    />
    </>
  );
}

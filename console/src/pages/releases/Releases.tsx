// The releases page: every published release (newest first), its details in
// a drawer, and — for roles that may — the upload of a release signed with
// the CLI and the security deadline.
import { useState } from 'react';
import { Button, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';
import { can } from '../../access';
import States from '../../common/States';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import ReleaseDetail from './ReleaseDetail';
import UploadRelease from './UploadRelease';
import { Release } from './types';
import { componentName } from '../../common/components';
import { formatSize } from '../../common/sizes';
import PageTitle from '../../common/PageTitle';

export default function Releases({ me }: { me: Me }) {
  const { t, i18n } = useTranslation('releases');
  const { t: tc } = useTranslation();
  const list = useApi<{ releases: Release[] }>('/releases');
  const [uploading, setUploading] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  // Publishing and deadlines are the acquirer's: a reseller's user reads its releases and deploys
  // them from its terminal list.
  const canRelease = can(me.role, 'release') && me.whole_tree !== false;
  const releases = [...(list.data?.releases ?? [])].reverse();
  const current = releases.find((r) => r.version === shown);

  return (
    <>
      <PageTitle
        title={t('title')}
        extra={canRelease && (
          <Button type="primary" onClick={() => setUploading(true)} data-testid="release-upload">{t('upload')}</Button>
        )}
      />
      <States loading={list.loading && !list.data} error={list.error} onRetry={list.reload}
              empty={!!list.data && releases.length === 0} emptyText={t('empty')}>
        <Table<Release>
          rowKey="version"
          dataSource={releases}
          loading={list.loading}
          scroll={{ x: true }}
          data-testid="release-list"
          onRow={(r) => ({ onClick: () => setShown(r.version), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: t('version'),
              dataIndex: 'version',
              render: (v: string, r) => (
                <Space>
                  <a data-testid={`release-${v}`}>{v}</a>
                  {r.security && <Tag color="red">{t('securityTag')}</Tag>}
                </Space>
              ),
            },
            { title: t('models'), dataIndex: 'models', render: (m: string[]) => m.join(', ') },
            { title: t('components'), key: 'components', render: (_, r) => r.components.map((c) => componentName(tc, c.name)).join(i18n.language === 'en' ? ', ' : '、') },
            { title: t('size'), dataIndex: 'size', render: (v: number) => formatSize(v) },
            {
              title: t('signature'),
              key: 'sig',
              render: (_, r) => (
                <Tag color={r.signature.verified ? 'green' : 'orange'}>{r.signature.key_ids.length} × ed25519</Tag>
              ),
            },
            { title: t('created'), dataIndex: 'created', render: (v: string) => formatTime(v, i18n.language) },
            {
              title: t('deadline'),
              dataIndex: 'security_deadline',
              render: (v: string | null) => (v ? formatTime(v, i18n.language) : ''),
            },
          ]}
        />
      </States>
      <UploadRelease open={uploading} onClose={() => setUploading(false)} onPublished={() => list.reload()} />
      {current && (
        <ReleaseDetail release={current} canRelease={canRelease} onClose={() => setShown(null)} onChanged={list.reload} />
      )}
    </>
  );
}

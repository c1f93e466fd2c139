// A scope's policy changes as the server keeps them (GET /api/v1/policy …
// history): revision, when (in the user's time zone), who, through which
// path, the outcome and why. Shared by a terminal's policy and the policy page.
import { ReactNode } from 'react';
import { Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatTime, userTimeZone } from './time';

export interface PolicyChange {
  revision: number;
  time: string;
  actor: string;
  path: string;
  reason: string;
  outcome: string;
  after?: Record<string, unknown>;
}

interface Props {
  changes: PolicyChange[];
  loading?: boolean;
  title?: ReactNode;
}

export default function PolicyHistory({ changes, loading, title }: Props) {
  const { t, i18n } = useTranslation();
  return (
    <Table<PolicyChange>
      rowKey="revision"
      size="small"
      loading={loading}
      dataSource={changes}
      title={() => title ?? `${t('history')} · ${t('timeZoneNote', { tz: userTimeZone() })}`}
      pagination={{ pageSize: 10 }}
      scroll={{ x: 640 }}
      data-testid="policy-history"
      columns={[
        { title: t('revision'), dataIndex: 'revision' },
        { title: t('time'), dataIndex: 'time', render: (v: string) => formatTime(v, i18n.language) },
        { title: t('who'), dataIndex: 'actor' },
        { title: t('path'), dataIndex: 'path', render: (v: string) => t(`path_${v}`, { defaultValue: v }) },
        { title: t('outcome'), dataIndex: 'outcome', render: (v: string) => t(`outcome_${v}`, { defaultValue: v }) },
        { title: t('reason'), dataIndex: 'reason' },
      ]}
    />
  );
}

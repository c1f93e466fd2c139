// The terminal list: server-side search (serial prefix or merchant name,
// debounced), filters and paging, all kept in the URL so links from the
// overview and reloads show the same list. Quick at a million terminals: only
// one page travels, the server counts the rest, and the next or previous page
// is asked for after or before a serial (filters.ts withPage), not by offset.
// Roles that may register terminals import them from a file (ImportDrawer); every role exports
// the filtered list to CSV or Excel (exportTerminals.ts). Besides the update filters: a health
// condition of the latest report, "not seen for N days", and an organisation's subtree (from the
// organisations page's links, named in a tag that clears it).
import { useEffect, useMemo, useState } from 'react';
import { Button, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { Me } from '../../api';
import { can } from '../../access';
import ExportButtons from '../../common/ExportButtons';
import States from '../../common/States';
import { formatTime, userTimeZone } from '../../common/time';
import { useApi } from '../../common/useApi';
import type { OverviewData } from '../overview/types';
import { type OrganisationList, useOrganisationName } from '../organisations/organisationList';
import {
  FilterKey, HEALTH_CONDITIONS, listPath, MODES, NOT_SEEN_DAYS, PAGE_SIZES, readPosition, STATES, withFilter, withPage,
} from './filters';
import TerminalPolicy from './TerminalPolicy';
import PageTitle from '../../common/PageTitle';
import ImportDrawer from './ImportDrawer';
import { collectTerminals } from './exportTerminals';

export interface TerminalRow {
  serial: string;
  model: string;
  installed_version: string;
  group: string;
  merchant_id: number;
  merchant: string;
  mode: string;
  state: string;
  last_seen: string | null;
  retired: string | null;
}

interface ListResult {
  terminals: TerminalRow[];
  total: number;
}

export const STATE_COLORS: Record<string, string> = {
  idle: 'default',
  scheduled: 'blue',
  running: 'processing',
  success: 'success',
  failed: 'error',
  canceled: 'warning',
};
export const MODE_COLORS: Record<string, string> = { auto: 'blue', manual: 'gold', never: 'red' };

const SEARCH_DELAY_MS = 300;

export default function TerminalList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation('terminals');
  const { t: tc } = useTranslation();
  const [params, setParams] = useSearchParams();
  const [importing, setImporting] = useState(false);
  const position = readPosition(params);
  const { filter } = position;
  const list = useApi<ListResult>(listPath(position));
  // Model and version choices: what the fleet has (the overview's figures).
  const fleet = useApi<OverviewData>('/overview');
  const [open, setOpen] = useState<string | null>(null);
  // The filtered organisation's name, read only when the list is filtered by one.
  const orgs = useApi<OrganisationList>(filter.organisation ? '/organisations' : null);
  const orgName = useOrganisationName();
  const filteredOrg = orgs.data?.organisations.find((o) => String(o.id) === filter.organisation);

  // The search box sends after a short pause in typing, not on every key.
  const [text, setText] = useState(filter.q ?? '');
  useEffect(() => setText(params.get('q') ?? ''), [params]);
  useEffect(() => {
    if (text === (params.get('q') ?? '')) return;
    const id = setTimeout(() => setParams((p) => withFilter(p, { q: text.trim() })), SEARCH_DELAY_MS);
    return () => clearTimeout(id);
  }, [text, params, setParams]);
  const [group, setGroup] = useState(filter.group ?? '');
  useEffect(() => setGroup(params.get('group') ?? ''), [params]);

  const set = (k: FilterKey, v: string | undefined) => setParams((p) => withFilter(p, { [k]: v }));
  const models = useMemo(() => [...new Set((fleet.data?.versions ?? []).map((v) => v.model))], [fleet.data]);
  const versions = useMemo(
    () => [
      ...new Set(
        (fleet.data?.versions ?? [])
          .filter((v) => v.version && (!filter.model || v.model === filter.model))
          .map((v) => v.version),
      ),
    ],
    [fleet.data, filter.model],
  );
  const filtered = Object.keys(filter).length > 0;
  const lang = i18n.language;

  return (
    <>
      {open && <TerminalPolicy serial={open} me={me} onClose={() => { setOpen(null); list.reload(); }} />}
      <PageTitle
        title={t('title')}
        extra={can(me.role, 'terminal') && (
          <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="import-open">
            {t('importButton')}
          </Button>
        )}
      />
      {can(me.role, 'terminal') && (
        <ImportDrawer open={importing} onClose={(imported) => { setImporting(false); if (imported) list.reload(); }} />
      )}
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear style={{ width: 280 }} placeholder={t('search')} value={text} data-testid="search"
                      onChange={(e) => setText(e.target.value)} onSearch={(v) => set('q', v.trim())} maxLength={64} />
        <Select allowClear showSearch style={{ width: 140 }} placeholder={t('model')} value={filter.model}
                data-testid="filter-model" options={models.map((m) => ({ value: m, label: m }))}
                onChange={(v) => setParams((p) => withFilter(p, { model: v, version: undefined }))} />
        <Select allowClear showSearch style={{ width: 140 }} placeholder={t('version')} value={filter.version}
                data-testid="filter-version" options={versions.map((v) => ({ value: v, label: v }))}
                onChange={(v) => set('version', v)} />
        <Input allowClear style={{ width: 180 }} placeholder={t('groupPlaceholder')} value={group} data-testid="filter-group"
               onChange={(e) => { setGroup(e.target.value); if (!e.target.value) set('group', undefined); }}
               onPressEnter={() => set('group', group.trim())} maxLength={64} />
        <Select allowClear style={{ width: 140 }} placeholder={t('mode')} value={filter.mode} data-testid="filter-mode"
                options={MODES.map((m) => ({ value: m, label: t(`mode_${m}`) }))} onChange={(v) => set('mode', v)} />
        <Select allowClear style={{ width: 140 }} placeholder={t('state')} value={filter.state} data-testid="filter-state"
                options={STATES.map((s) => ({ value: s, label: t(`state_${s}`) }))} onChange={(v) => set('state', v)} />
        <Select allowClear style={{ width: 120 }} placeholder={t('online')} value={filter.online} data-testid="filter-online"
                options={[{ value: 'true', label: t('onlineYes') }, { value: 'false', label: t('onlineNo') }]}
                onChange={(v) => set('online', v)} />
        <Select allowClear style={{ width: 150 }} placeholder={t('filterHealth')} value={filter.health} data-testid="filter-health"
                options={HEALTH_CONDITIONS.map((c) => ({ value: c, label: t(`health_${c}`) }))}
                onChange={(v) => set('health', v)} />
        <Select allowClear style={{ width: 200 }} placeholder={t('filterNotSeen')} value={filter.not_seen_days}
                data-testid="filter-not-seen"
                options={NOT_SEEN_DAYS.map((d) => ({ value: String(d), label: t('notSeenDays', { count: d }) }))}
                onChange={(v) => set('not_seen_days', v)} />
        {filter.organisation && (
          <Tag closable color="blue" onClose={() => set('organisation', undefined)} data-testid="filter-organisation"
               data-organisation={filter.organisation}>
            {t('organisationTag', { name: filteredOrg ? orgName(filteredOrg) : `#${filter.organisation}` })}
          </Tag>
        )}
        {filter.pending && (
          <Tag closable color="volcano" onClose={() => set('pending', undefined)} data-testid="filter-pending">
            {t('pendingTag', { version: filter.pending })}
          </Tag>
        )}
        {filtered && <Button onClick={() => setParams(new URLSearchParams())} data-testid="clear-filters">{t('clear')}</Button>}
      </Space>
      <div style={{ marginBottom: 12 }}>
        <ExportButtons testId="export-terminals" base="terminals" sheet={t('exportSheet')}
                       collect={collectTerminals(filter, t, tc, lang)} />
      </div>
      <States loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
        <Table<TerminalRow>
          rowKey="serial"
          size="middle"
          scroll={{ x: 900 }}
          loading={list.loading}
          dataSource={list.data?.terminals ?? []}
          locale={{ emptyText: filtered ? t('noMatch') : t('noTerminals') }}
          footer={() => <Typography.Text type="secondary">{t('timesIn', { tz: userTimeZone() })}</Typography.Text>}
          pagination={{
            current: position.page,
            pageSize: position.size,
            total: list.data?.total ?? 0,
            pageSizeOptions: PAGE_SIZES,
            showSizeChanger: true,
            showTotal: (total) => <span data-testid="total">{t('total', { total })}</span>,
          }}
          onChange={(p) => {
            const rows = list.data?.terminals ?? [];
            setParams((prev) =>
              withPage(prev, position, p.current ?? 1, p.pageSize ?? PAGE_SIZES[0], rows[0]?.serial, rows[rows.length - 1]?.serial),
            );
          }}
          columns={[
            {
              title: t('serial'),
              dataIndex: 'serial',
              fixed: 'left',
              render: (v: string) => <Link to={`/terminals/${encodeURIComponent(v)}`} data-testid={`terminal-${v}`}>{v}</Link>,
            },
            { title: t('merchant'), dataIndex: 'merchant' },
            { title: t('model'), dataIndex: 'model' },
            { title: t('version'), dataIndex: 'installed_version', render: (v: string) => v || '—' },
            {
              title: t('mode'),
              dataIndex: 'mode',
              render: (v: string) => <Tag color={MODE_COLORS[v]}>{t(`mode_${v}`)}</Tag>,
            },
            {
              title: t('lastSeen'),
              dataIndex: 'last_seen',
              render: (v: string | null) => (v ? formatTime(v, lang) : t('never')),
            },
            {
              title: t('state'),
              dataIndex: 'state',
              render: (v: string, r: TerminalRow) =>
                r.retired ? (
                  <Tag data-testid={`retired-${r.serial}`}>{t('retired')}</Tag>
                ) : (
                  <Tag color={STATE_COLORS[v]}>{t(`state_${v}`)}</Tag>
                ),
            },
            {
              title: t('policy'),
              key: 'policy',
              render: (_: unknown, r: TerminalRow) => (
                <Button size="small" onClick={() => setOpen(r.serial)} data-testid={`policy-${r.serial}`}>
                  {t('policy')}
                </Button>
              ),
            },
          ]}
        />
      </States>
    </>
  );
}

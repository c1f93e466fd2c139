// Creating a rollout: release, target (listed terminals, a group or the
// terminal filter, as the deployments page picks them), waves (cumulative
// percentages or groups in order, each with its thresholds, soak time and
// approval), offline days and an optional scheduled start in the reader's
// local time. "Preview" asks the server how many terminals each wave gets,
// when it can start and who is left out and why; "Create" sends exactly the
// previewed body (a changed form asks for a new preview).
import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Form, Input, InputNumber, Radio, Select, Space, Table, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import { userTimeZone } from '../../common/time';
import TerminalFilterFields, { filterOf, FilterValues } from '../policy/TerminalFilterFields';
import { EXCLUSIONS, localToUnix, Preview, Rollout, unixTime } from './types';

interface WaveValues {
  percent?: number;
  group?: string;
  success_threshold?: number;
  error_threshold?: number;
  soak_minutes?: number;
  needs_approval?: boolean;
}

export interface CreateValues {
  name?: string;
  release?: string;
  target?: 'terminals' | 'group' | 'filter';
  serials?: string;
  group?: string;
  filter?: FilterValues;
  by?: 'percent' | 'group';
  waves?: WaveValues[];
  offline_days?: number;
  start_at?: string; // datetime-local, the reader's time
  start?: boolean;
  reason?: string;
}

export function serialsOf(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,;，]+/).filter(Boolean);
}

const RULES = { success_threshold: 95, error_threshold: 2, soak_minutes: 60, needs_approval: false };
export const DEFAULT_WAVES: WaveValues[] = [1, 10, 50, 100].map((percent) => ({ percent, ...RULES }));

// The request body POST /api/v1/rollouts(/preview) takes.
export function bodyOf(v: CreateValues): Record<string, unknown> {
  const body: Record<string, unknown> = { release: v.release };
  if (v.target === 'terminals') body.target = { serials: serialsOf(v.serials) };
  else if (v.target === 'group') body.target = { group: (v.group ?? '').trim() };
  else body.target = { filter: filterOf(v.filter) };
  body.waves = (v.waves ?? []).map((w) => ({
    ...(v.by === 'group' ? { group: (w.group ?? '').trim() } : { percent: w.percent }),
    success_threshold: w.success_threshold ?? RULES.success_threshold,
    error_threshold: w.error_threshold ?? RULES.error_threshold,
    soak_seconds: Math.round((w.soak_minutes ?? RULES.soak_minutes) * 60),
    needs_approval: !!w.needs_approval,
  }));
  body.offline_days = v.offline_days ?? 7;
  body.start_at = localToUnix(v.start_at ?? '');
  body.start = !!v.start || body.start_at !== null;
  if (v.name?.trim()) body.name = v.name.trim();
  if (v.reason?.trim()) body.reason = v.reason.trim();
  return body;
}

interface Props {
  releases: string[];
  onCreated: (id: number) => void;
}

export default function CreateRollout({ releases, onCreated }: Props) {
  const { t, i18n } = useTranslation('rollouts');
  const { t: tc } = useTranslation();
  const [form] = Form.useForm<CreateValues>();
  const target = Form.useWatch('target', form);
  const by = Form.useWatch('by', form) ?? 'percent';
  const [preview, setPreview] = useState<{ key: string; body: Record<string, unknown>; data: Preview } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const lang = i18n.language;

  const run = async (create: boolean) => {
    setError('');
    let values: CreateValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const body = bodyOf({ ...form.getFieldsValue(true), ...values });
    const key = JSON.stringify(body);
    if (create && preview?.key !== key) {
      setPreview(null);
      setError(t('previewStale'));
      return;
    }
    setBusy(true);
    try {
      if (create) {
        const r = await api<Rollout>('POST', '/rollouts', body);
        onCreated(r.id);
      } else {
        setPreview({ key, body, data: await api<Preview>('POST', '/rollouts/preview', body) });
      }
    } catch (e) {
      setError(errorText(tc, e));
    } finally {
      setBusy(false);
    }
  };

  const percentRule = {
    validator: async (_: unknown, waves: WaveValues[] | undefined) => {
      if (!waves?.length) throw new Error(t('wavesRequired'));
      if (form.getFieldValue('by') === 'group') return;
      const ps = waves.map((w) => w?.percent ?? 0);
      if (ps.some((p, i) => i > 0 && p <= ps[i - 1]) || ps[ps.length - 1] !== 100) throw new Error(t('percentOrder'));
    },
  };
  const offlineDays = (preview?.body.offline_days as number | undefined) ?? 7;

  return (
    <Form<CreateValues>
      form={form}
      layout="vertical"
      data-testid="create-form"
      initialValues={{ by: 'percent', waves: DEFAULT_WAVES, offline_days: 7, start: true }}
      onValuesChange={() => {
        setError('');
        setPreview(null);
      }}
    >
      <Form.Item name="release" label={t('release')} rules={[{ required: true, message: t('releaseRequired') }]}>
        <Select showSearch data-testid="create-release" placeholder={releases.length ? undefined : t('noReleases')}
                options={releases.map((r) => ({ value: r, label: r }))} style={{ maxWidth: 320 }} />
      </Form.Item>
      <Form.Item name="name" label={t('name')} rules={[{ max: 100, message: tc('tooLong', { max: 100 }) }]}>
        <Input style={{ maxWidth: 320 }} data-testid="create-name" />
      </Form.Item>
      <Form.Item name="target" label={t('target')} rules={[{ required: true, message: t('targetRequired') }]}>
        <Radio.Group optionType="button" data-testid="create-target"
                     options={(['terminals', 'group', 'filter'] as const).map((x) => ({
                       value: x, label: <span data-testid={`create-target-${x}`}>{t(`targetKind_${x}`)}</span>,
                     }))} />
      </Form.Item>
      {target === 'terminals' && (
        <Form.Item name="serials" label={t('serials')} rules={[{
          validator: async (_, v: string | undefined) => {
            const list = serialsOf(v);
            if (!list.length) throw new Error(t('serialsRequired'));
            if (list.some((s) => !/^[A-Za-z0-9._-]{1,64}$/.test(s))) throw new Error(t('serialsInvalid'));
          },
        }]}>
          <Input.TextArea rows={3} data-testid="create-serials" />
        </Form.Item>
      )}
      {target === 'group' && (
        <Form.Item name="group" label={t('group')} rules={[{ required: true, whitespace: true, message: t('groupRequired') }]}>
          <Input style={{ maxWidth: 320 }} data-testid="create-group" />
        </Form.Item>
      )}
      {target === 'filter' && <TerminalFilterFields testPrefix="create-filter" />}

      <Form.Item name="by" label={t('wavesBy')}>
        <Radio.Group optionType="button" data-testid="create-by"
                     options={(['percent', 'group'] as const).map((x) => ({
                       value: x, label: <span data-testid={`create-by-${x}`}>{t(`wavesBy_${x}`)}</span>,
                     }))} />
      </Form.Item>
      <Form.List name="waves" rules={[percentRule]}>
        {(fields, { add, remove }, { errors }) => (
          <Space orientation="vertical" style={{ width: '100%', marginBottom: 16 }} data-testid="create-waves">
            {fields.map((f, i) => (
              <Card key={f.key} size="small" title={t('wave', { n: i + 1 })} data-testid={`wave-${i}`}
                    extra={fields.length > 1 && (
                      <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(f.name)}
                              aria-label={t('removeWave')} data-testid={`wave-remove-${i}`} />
                    )}>
                <Space wrap align="start">
                  {by === 'group' ? (
                    <Form.Item name={[f.name, 'group']} label={t('waveGroup')}
                               rules={[{ required: true, whitespace: true, message: t('waveGroupRequired') }, { max: 64 }]}>
                      <Input style={{ width: 160 }} data-testid={`wave-group-${i}`} />
                    </Form.Item>
                  ) : (
                    <Form.Item name={[f.name, 'percent']} label={t('percent')}
                               rules={[{ required: true, type: 'number', min: 1, max: 100, message: t('percentRequired') }]}>
                      <InputNumber min={1} max={100} precision={0} data-testid={`wave-percent-${i}`} />
                    </Form.Item>
                  )}
                  <Form.Item name={[f.name, 'success_threshold']} label={t('successThreshold')}>
                    <InputNumber min={0} max={100} data-testid={`wave-success-${i}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'error_threshold']} label={t('errorThreshold')}>
                    <InputNumber min={0} max={100} data-testid={`wave-error-${i}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'soak_minutes']} label={t('soakMinutes')}>
                    <InputNumber min={0} max={60 * 24 * 30} precision={0} data-testid={`wave-soak-${i}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'needs_approval']} valuePropName="checked" label=" ">
                    <Checkbox data-testid={`wave-approval-${i}`}>{t('needsApproval')}</Checkbox>
                  </Form.Item>
                </Space>
              </Card>
            ))}
            <Form.ErrorList errors={errors} />
            <Button icon={<PlusOutlined />} onClick={() => add({ ...RULES, percent: 100 })} data-testid="wave-add">
              {t('addWave')}
            </Button>
          </Space>
        )}
      </Form.List>

      <Space wrap align="start">
        <Form.Item name="offline_days" label={t('offlineDays')}>
          <InputNumber min={1} max={365} precision={0} data-testid="create-offline-days" />
        </Form.Item>
        <Form.Item name="start_at" label={t('startAt')} extra={t('timeNote', { tz: userTimeZone() })}
                   rules={[{ validator: async (_, v: string | undefined) => {
                     const at = localToUnix(v ?? '');
                     if (at !== null && at * 1000 <= Date.now()) throw new Error(t('startAtPast'));
                   } }]}>
          <Input type="datetime-local" style={{ width: 220 }} data-testid="create-start-at" />
        </Form.Item>
        <Form.Item name="start" valuePropName="checked" label=" ">
          <Checkbox data-testid="create-start">{t('startNow')}</Checkbox>
        </Form.Item>
      </Space>
      <Form.Item name="reason" label={t('reasonOptional')} rules={[{ max: 500, message: tc('tooLong', { max: 500 }) }]}>
        <Input style={{ maxWidth: 480 }} data-testid="create-reason" />
      </Form.Item>

      {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} data-testid="create-error" />}
      {preview && (
        <Card size="small" title={t('previewTitle', { total: preview.data.total })} style={{ marginBottom: 12 }}
              data-testid="preview" data-total={preview.data.total}>
          <Table
            rowKey="index"
            size="small"
            pagination={false}
            data-testid="preview-waves"
            dataSource={preview.data.waves}
            columns={[
              { title: t('previewWave'), dataIndex: 'index',
                render: (i: number, w) => `${t('wave', { n: i + 1 })}${w.groups?.length ? ` · ${w.groups.join(', ')}` :
                  w.percent ? ` · ${w.percent}%` : ''}` },
              { title: t('previewTerminals'), dataIndex: 'terminals',
                render: (n: number, w) => <span data-testid={`preview-wave-${w.index}`} data-count={n}>{n}</span> },
              { title: t('previewCanStart'), dataIndex: 'can_start_at',
                render: (s: number | null, w) => <span data-testid={`preview-start-${w.index}`}>{unixTime(s, lang) || t('previewNow')}</span> },
              { title: t('previewFrozen'), dataIndex: 'frozen_until', render: (s: number | null) => unixTime(s, lang) || '—' },
            ]}
          />
          <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }} data-testid="preview-excluded">
            {t('previewExcluded', { list: (() => {
              const parts = Object.entries(preview.data.excluded ?? {})
                .filter(([, n]) => n > 0)
                .map(([why, n]) => `${t((EXCLUSIONS as readonly string[]).includes(why) ? `excluded_${why}` : 'excluded_other',
                                        { days: offlineDays })} ${n}`);
              return parts.length ? parts.join(lang === 'en' ? ', ' : '，') : t('previewNoExcluded');
            })() })}
          </Typography.Paragraph>
        </Card>
      )}
      <Space>
        <Button onClick={() => run(false)} loading={busy} data-testid="create-preview">{t('preview')}</Button>
        <Button type="primary" onClick={() => run(true)} disabled={!preview} loading={busy} data-testid="create-submit">
          {t('createSubmit')}
        </Button>
      </Space>
    </Form>
  );
}

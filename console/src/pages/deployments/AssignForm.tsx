// Assigning a release: to listed terminals, a group, or the terminals a
// filter picks. Release and target are required; the form hands the request
// body to `onSubmit`, which previews and confirms before anything is created.
import { Button, Form, Input, Radio, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import TerminalFilterFields, { filterOf, FilterValues } from '../policy/TerminalFilterFields';

export type Target = 'terminals' | 'group' | 'filter';

export interface AssignValues {
  release?: string;
  target?: Target;
  serials?: string;
  group?: string;
  filter?: FilterValues;
  reason?: string;
}

export type AssignBody = Record<string, unknown>;

export function serialsOf(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,;，]+/).filter(Boolean);
}

export function bodyOf(v: AssignValues): AssignBody {
  const body: AssignBody = { release: v.release };
  if (v.target === 'terminals') body.terminals = serialsOf(v.serials);
  else if (v.target === 'group') body.group = (v.group ?? '').trim();
  else body.filter = filterOf(v.filter);
  if (v.reason?.trim()) body.reason = v.reason.trim();
  return body;
}

interface Props {
  releases: string[];
  busy?: boolean;
  onSubmit: (body: AssignBody) => void;
}

export default function AssignForm({ releases, busy, onSubmit }: Props) {
  const { t } = useTranslation('deployments');
  const [form] = Form.useForm<AssignValues>();
  const target = Form.useWatch('target', form);
  return (
    <Form<AssignValues> form={form} layout="vertical" onFinish={(v) => onSubmit(bodyOf(v))} data-testid="assign-form">
      <Form.Item name="release" label={t('release')} rules={[{ required: true, message: t('releaseRequired') }]}>
        <Select
          showSearch
          data-testid="assign-release"
          placeholder={releases.length ? undefined : t('noReleases')}
          options={releases.map((r) => ({ value: r, label: r }))}
          style={{ maxWidth: 320 }}
        />
      </Form.Item>
      <Form.Item name="target" label={t('target')} rules={[{ required: true, message: t('targetRequired') }]}>
        <Radio.Group
          optionType="button"
          data-testid="assign-target"
          options={(['terminals', 'group', 'filter'] as const).map((x) => ({
            value: x,
            label: <span data-testid={`target-${x}`}>{t(`target_${x}`)}</span>,
          }))}
        />
      </Form.Item>
      {target === 'terminals' && (
        <Form.Item
          name="serials"
          label={t('serials')}
          rules={[
            {
              validator: (_, v: string | undefined) => {
                const list = serialsOf(v);
                if (!list.length) return Promise.reject(new Error(t('serialsRequired')));
                if (list.some((s) => !/^[A-Za-z0-9._-]{1,64}$/.test(s))) return Promise.reject(new Error(t('serialsInvalid')));
                return Promise.resolve();
              },
            },
          ]}
        >
          <Input.TextArea rows={3} data-testid="assign-serials" />
        </Form.Item>
      )}
      {target === 'group' && (
        <Form.Item name="group" label={t('group')} rules={[{ required: true, whitespace: true, message: t('groupRequired') }]}>
          <Input style={{ maxWidth: 320 }} data-testid="assign-group" />
        </Form.Item>
      )}
      {target === 'filter' && <TerminalFilterFields testPrefix="assign-filter" />}
      <Form.Item name="reason" label={t('reason')} rules={[{ max: 500 }]}>
        <Input style={{ maxWidth: 480 }} data-testid="assign-reason" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} data-testid="assign-submit">
        {t('previewAndAssign')}
      </Button>
    </Form>
  );
}

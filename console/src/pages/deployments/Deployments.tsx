// The deployments page: assign a release to terminals, a group or a filter
// (previewed, then confirmed with the count), and watch a release's
// roll-out live. Roles without 'deploy' only watch.
import { useEffect, useState } from 'react';
import { Alert, Card, Modal, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, Me } from '../../api';
import { can } from '../../access';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { useApi } from '../../common/useApi';
import AssignForm, { AssignBody } from './AssignForm';
import Progress from './Progress';
import PageTitle from '../../common/PageTitle';

interface Outcome {
  release: string;
  matched: number;
  created: number;
  replaced?: number;
  skipped: Record<string, number>;
}

const SKIP_REASONS = ['wrong_model', 'already_installed', 'already_open', 'installing', 'busy', 'retired',
                      'other_organisation', 'unknown_terminal'];

export default function Deployments({ me }: { me: Me }) {
  const { t } = useTranslation('deployments');
  const { t: tc } = useTranslation();
  const list = useApi<{ releases: { version: string }[] }>('/releases');
  const versions = (list.data?.releases ?? []).map((r) => r.version).reverse();
  const [watched, setWatched] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState('');
  const [error, setError] = useState('');
  const [modal, holder] = Modal.useModal();
  const canDeploy = can(me.role, 'deploy');

  useEffect(() => {
    if (!watched && versions.length) setWatched(versions[0]);
  }, [watched, versions]);

  const assign = async (body: AssignBody) => {
    setResult('');
    setError('');
    setBusy(true);
    try {
      const preview = await api<Outcome>('POST', '/deployments/preview', body);
      const skipped = Object.entries(preview.skipped ?? {})
        .filter(([, n]) => n > 0)
        .map(([why, n]) => t(SKIP_REASONS.includes(why) ? `skip_${why}` : 'skip_other', { count: n }));
      const counts = {
        matched: preview.matched,
        created: preview.created,
        replaced: preview.replaced ? t('confirmReplaced', { count: preview.replaced }) : '',
        skipped: skipped.length ? t('confirmSkipped', { list: skipped.join(t('skipSep')) }) : '',
      };
      if (preview.created === 0) {
        setError(t('nothingToCreate', { body: t('confirmBody', counts) }));
        return;
      }
      const ok = await modal.confirm({
        title: t('confirmTitle', counts),
        content: t('confirmBody', counts),
        okText: t('ok'),
        cancelText: t('cancel'),
        okButtonProps: { 'data-testid': 'assign-confirm-ok' } as Record<`data-${string}`, string>,
      });
      if (!ok) return;
      const out = await api<Outcome>('POST', '/deployments', body);
      setResult(t('assigned', { created: out.created }));
      setWatched(out.release);
    } catch (e) {
      setError(errorText(tc, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {holder}
      <PageTitle title={t('title')} />
      <States loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
        {canDeploy ? (
          <Card title={t('assign')}>
            {result && <Alert type="success" title={result} style={{ marginBottom: 12 }} data-testid="assign-result" />}
            {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} data-testid="assign-error" />}
            <AssignForm releases={versions} busy={busy} onSubmit={assign} />
          </Card>
        ) : (
          <Alert type="info" title={t('readOnly')} data-testid="deploy-read-only" />
        )}
        <Space wrap>
          <Typography.Text>{t('watch')}</Typography.Text>
          <Select
            value={watched}
            onChange={setWatched}
            placeholder={t('chooseRelease')}
            options={versions.map((v) => ({ value: v, label: v }))}
            style={{ width: 200 }}
            data-testid="watch-release"
          />
        </Space>
        {watched ? <Progress key={watched} release={watched} canDeploy={canDeploy} /> : <Alert type="info" title={versions.length ? t('chooseRelease') : t('noReleases')} />}
      </States>
    </Space>
  );
}

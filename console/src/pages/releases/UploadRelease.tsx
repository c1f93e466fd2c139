// The upload dialog: the signed manifest and the component files, checked
// and sent by upload.ts, with each component's progress and a sentence for
// whatever goes wrong.
import { useState } from 'react';
import { Alert, Button, Form, Modal, Progress, Table, Typography, Upload } from 'antd';
import type { UploadFile } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { componentName } from '../../common/components';
import { Step, UploadProblem, uploadRelease } from './upload';

interface Props {
  open: boolean;
  onClose: () => void;
  onPublished: (version: string) => void;
}

const raw = (list: UploadFile[]) => list.map((f) => f.originFileObj as File).filter(Boolean);

export default function UploadRelease({ open, onClose, onPublished }: Props) {
  const { t } = useTranslation('releases');
  const { t: tc } = useTranslation();
  const [manifest, setManifest] = useState<UploadFile[]>([]);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [steps, setSteps] = useState<Step[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [missing, setMissing] = useState(false);

  const start = async () => {
    setError('');
    setDone('');
    if (!manifest.length) {
      setMissing(true);
      return;
    }
    setBusy(true);
    try {
      const session = await api<{ csrf?: string }>('GET', '/session');
      const r = (await uploadRelease(raw(manifest)[0], raw(files), session.csrf ?? '', setSteps)) as { version: string };
      setDone(t('published', { version: r.version }));
      onPublished(r.version);
    } catch (e) {
      if (e instanceof UploadProblem)
        setError(t(e.key, { ...e.params, ...(e.params?.name ? { name: componentName(tc, String(e.params.name)) } : {}) }));
      else if (e instanceof ApiError || e instanceof TypeError) setError(errorText(tc, e));
      else setError(String(e));
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    setManifest([]);
    setFiles([]);
    setSteps([]);
    setError('');
    setDone('');
    setMissing(false);
    onClose();
  };

  return (
    <Modal open={open} title={t('upload')} onCancel={close} width={720} destroyOnHidden
           footer={[
             <Button key="close" onClick={close} data-testid="upload-close">{t('close')}</Button>,
             <Button key="start" type="primary" loading={busy} onClick={start} data-testid="upload-start">{t('start')}</Button>,
           ]}>
      <Typography.Paragraph type="secondary">{t('uploadNote')}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t('manifestFile')} required validateStatus={missing && !manifest.length ? 'error' : undefined}
                   help={missing && !manifest.length ? t('manifestRequired') : undefined}>
          <Upload accept=".json,application/json" maxCount={1} beforeUpload={() => false} fileList={manifest}
                  onChange={(i) => setManifest(i.fileList)} data-testid="upload-manifest">
            <Button data-testid="pick-manifest">{t('pickManifest')}</Button>
          </Upload>
        </Form.Item>
        <Form.Item label={t('artifactFiles')}>
          <Upload multiple beforeUpload={() => false} fileList={files} onChange={(i) => setFiles(i.fileList)}
                  data-testid="upload-artifacts">
            <Button data-testid="pick-artifacts">{t('pickArtifacts')}</Button>
          </Upload>
        </Form.Item>
      </Form>
      {steps.length > 0 && (
        <Table<Step>
          rowKey="filename"
          size="small"
          pagination={false}
          dataSource={steps}
          data-testid="upload-steps"
          columns={[
            { title: t('name'), dataIndex: 'name',
              render: (v: string, s) => s.zchunk ? t('zchunkStep', { name: componentName(tc, v) })
                : s.deltaFrom === undefined ? componentName(tc, v)
                : t('deltaStep', { name: componentName(tc, v), version: s.deltaFrom }) },
            { title: t('fileName'), dataIndex: 'filename' },
            {
              title: t('step_upload'),
              key: 'state',
              render: (_, s) => (
                <span data-testid={s.deltaFrom === undefined && !s.zchunk ? `upload-step-${s.name}` : `upload-step-${s.filename}`}
                      data-state={s.state}>
                  {s.state === 'upload' ? <Progress percent={s.percent} size="small" /> : t(`step_${s.state}`)}
                </span>
              ),
            },
          ]}
        />
      )}
      {busy && steps.length > 0 && steps.every((s) => s.state === 'done' || s.state === 'present') && (
        <Alert type="info" title={t('publishing')} style={{ marginTop: 12 }} />
      )}
      {error && <Alert type="error" title={error} style={{ marginTop: 12 }} data-testid="upload-error" />}
      {done && <Alert type="success" title={done} style={{ marginTop: 12 }} data-testid="upload-done" />}
    </Modal>
  );
}

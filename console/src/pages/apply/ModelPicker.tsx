// The terminal models of the catalogue as cards to choose from (a form
// control: value is the model id). Each card: an icon for its kind (mobile,
// fixed, smart), the name and the short description in the user's language.
import type { ReactNode } from 'react';
import { Card, Col, Row, Tag, Typography } from 'antd';
import { CheckCircleFilled, MobileOutlined, ShopOutlined, TabletOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

export interface CatalogueModel {
  id: string;
  kind: string;
  name_zh: string;
  name_en: string;
  text_zh: string;
  text_en: string;
}

const ICONS: Record<string, ReactNode> = {
  mobile: <MobileOutlined />,
  fixed: <ShopOutlined />,
  smart: <TabletOutlined />,
};

interface Props {
  models: CatalogueModel[];
  value?: string;
  onChange?: (id: string) => void;
}

export default function ModelPicker({ models, value, onChange }: Props) {
  const { t: ta, i18n } = useTranslation('apply');
  const en = i18n.language === 'en';
  return (
    <Row gutter={[12, 12]} role="radiogroup" data-testid="model-picker">
      {models.map((m) => {
        const chosen = m.id === value;
        return (
          <Col key={m.id} xs={24} md={8}>
            <Card
              hoverable
              size="small"
              role="radio"
              aria-checked={chosen}
              tabIndex={0}
              data-testid={`model-${m.id}`}
              onClick={() => onChange?.(m.id)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onChange?.(m.id)}
              style={{ height: '100%', borderColor: chosen ? '#1677ff' : undefined, borderWidth: chosen ? 2 : 1 }}
            >
              <div style={{ display: 'flex', gap: 12, alignItems: 'flex-start' }}>
                <div style={{ fontSize: 32, color: chosen ? '#1677ff' : '#595959', lineHeight: 1 }}>
                  {ICONS[m.kind] ?? <MobileOutlined />}
                </div>
                <div style={{ flex: 1, minWidth: 0 }}>
                  <Typography.Text strong>{en ? m.name_en : m.name_zh}</Typography.Text>{' '}
                  {chosen && <CheckCircleFilled style={{ color: '#1677ff' }} />}
                  <div>
                    <Tag style={{ marginTop: 4 }}>{ta(`kind_${m.kind}`, { defaultValue: m.kind })}</Tag>
                  </div>
                  <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0', fontSize: 13 }}>
                    {en ? m.text_en : m.text_zh}
                  </Typography.Paragraph>
                </div>
              </div>
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}

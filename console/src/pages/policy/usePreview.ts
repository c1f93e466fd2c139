// Asks the server how many terminals a change would reach, while the user is
// still editing: one request after they pause (debounced), and an older
// answer never replaces a newer one.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';

export function usePreview<T>(path: string, body: unknown | null, delayMs = 400) {
  const { t } = useTranslation();
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const seq = useRef(0);
  const text = body === null ? '' : JSON.stringify(body);

  useEffect(() => {
    const mine = ++seq.current;
    if (!text) {
      setData(null);
      setError('');
      setLoading(false);
      return;
    }
    setLoading(true);
    const timer = setTimeout(() => {
      api<T>('POST', path, JSON.parse(text))
        .then((d) => {
          if (mine !== seq.current) return;
          setData(d);
          setError('');
        })
        .catch((e) => mine === seq.current && (setError(errorText(t, e)), setData(null)))
        .finally(() => mine === seq.current && setLoading(false));
    }, delayMs);
    return () => clearTimeout(timer);
  }, [path, text, delayMs, t]);

  return { data, loading, error };
}

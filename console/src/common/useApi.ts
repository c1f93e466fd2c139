// Loads one GET resource for a page: data, loading, error (in the user's
// language) and reload. A new path reloads; an old answer never overwrites a
// newer one.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { errorText } from './errors';

export interface Loaded<T> {
  data: T | null;
  loading: boolean;
  error: string;
  reload: () => void;
}

export function useApi<T>(path: string | null, refreshMs = 0): Loaded<T> {
  const { t } = useTranslation();
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [error, setError] = useState('');
  const seq = useRef(0);

  const reload = useCallback(() => {
    if (path === null) return;
    const mine = ++seq.current;
    setLoading(true);
    api<T>('GET', path)
      .then((d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError('');
      })
      .catch((e) => mine === seq.current && setError(errorText(t, e)))
      .finally(() => mine === seq.current && setLoading(false));
  }, [path, t]);

  useEffect(() => {
    reload();
    if (!refreshMs) return;
    const id = setInterval(reload, refreshMs);
    return () => clearInterval(id);
  }, [reload, refreshMs]);

  return { data, loading, error, reload };
}

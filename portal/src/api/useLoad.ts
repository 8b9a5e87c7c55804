// One API read for a page: its answer, or the refusal's HTTP status (403/404 pages show
// "brak dostępu"), or a connection failure, and a way to read again after a change.
import { useCallback, useEffect, useState } from "react";

export interface Loaded<T> {
  data: T | null;
  status: number | null; // the HTTP status of a refusal
  failed: boolean; // no answer at all
  loading: boolean;
  reload: () => void;
}

type Answer<T> = Promise<{ data?: T; error?: unknown; response: Response }>;

export function useLoad<T>(read: () => Answer<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [status, setStatus] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((r) => r + 1), []);

  useEffect(() => {
    let live = true;
    setLoading(true);
    read()
      .then(({ data: answer, response }) => {
        if (!live) return;
        setFailed(false);
        if (answer !== undefined && response.ok) {
          setData(answer);
          setStatus(null);
        } else {
          setData(null);
          setStatus(response.status);
        }
      })
      .catch(() => live && setFailed(true))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);

  return { data, status, failed, loading, reload };
}

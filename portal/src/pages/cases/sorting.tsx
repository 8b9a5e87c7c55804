// Tables sorted by a column the user picks: the column's header is a button, and
// aria-sort tells screen readers how the table is ordered now.
import { useMemo, useState, type ReactNode } from "react";
import { Table, UnstyledButton } from "@mantine/core";

export type SortValue = string | number | null | undefined;

export interface Sort<K extends string> {
  key: K;
  ascending: boolean;
}

const collator = new Intl.Collator("pl", { numeric: true, sensitivity: "base" });

function compare(a: SortValue, b: SortValue): number {
  if (a == null || a === "") return b == null || b === "" ? 0 : 1; // empty last
  if (b == null || b === "") return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}

export function useSorted<T, K extends string>(items: T[], keys: Record<K, (item: T) => SortValue>,
  initial: Sort<NoInfer<K>>) {
  const [sort, setSort] = useState<Sort<K>>(initial);
  const sorted = useMemo(() => {
    const value = keys[sort.key];
    const copy = [...items];
    copy.sort((a, b) => (sort.ascending ? 1 : -1) * compare(value(a), value(b)));
    return copy;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items, sort]);
  const by = (key: K) => setSort((s) => ({ key, ascending: s.key === key ? !s.ascending : true }));
  return { sorted, sort, by };
}

export function SortTh<K extends string>({ column, sort, by, children }: {
  column: K; sort: Sort<K>; by: (key: K) => void; children: ReactNode;
}) {
  const active = sort.key === column;
  const order = active ? (sort.ascending ? "ascending" : "descending") : "none";
  return (
    <Table.Th scope="col" aria-sort={order}>
      <UnstyledButton onClick={() => by(column)} fw={700} fz="sm" className="sort-button"
        title="Kliknij, aby posortować">
        {children}
        <span aria-hidden="true" className="no-print">{active ? (sort.ascending ? " ▲" : " ▼") : " ↕"}</span>
      </UnstyledButton>
    </Table.Th>
  );
}

export function DeadlineWords({ words, urgency }: { words: string; urgency: "overdue" | "soon" | "later" }) {
  return <span className={`urgency urgency-${urgency}`} data-urgency={urgency}>{words}</span>;
}

// Every unit of the city with its year's figures, sortable by any column.
import { Paper, Table, Text, Title } from "@mantine/core";
import { SortTh, useSorted } from "../cases/sorting";
import { NOUNS, countOf } from "../../i18n/plural";
import { formatNumber, type UnitFigures } from "./labels";

const COLUMNS = {
  unit: (u: UnitFigures) => u.unit,
  name: (u: UnitFigures) => u.name,
  kind: (u: UnitFigures) => u.kind,
  documents: (u: UnitFigures) => u.documents_total ?? 0,
  decretations: (u: UnitFigures) => u.decretations ?? 0,
  opened: (u: UnitFigures) => u.cases_opened ?? 0,
  closed: (u: UnitFigures) => u.cases_closed ?? 0,
  late: (u: UnitFigures) => u.cases_closed_late ?? 0,
  overdue: (u: UnitFigures) => u.cases_overdue ?? null,
};

export function UnitsTable({ units, onPick }: { units: UnitFigures[]; onPick: (unit: string) => void }) {
  const { sorted, sort, by } = useSorted(units, COLUMNS, { key: "documents", ascending: false });
  const number = (value: number | null | undefined) => (value == null ? "—" : formatNumber(value));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="units-title">
      <Title order={3} id="units-title">Jednostki</Title>
      <Text size="sm" mb="sm" data-testid="units-count">{countOf(units.length, NOUNS.jednostka)}</Text>
      <Table striped highlightOnHover aria-labelledby="units-title" data-testid="units-table">
        <Table.Thead>
          <Table.Tr>
            <SortTh column="unit" sort={sort} by={by}>Symbol</SortTh>
            <SortTh column="name" sort={sort} by={by}>Jednostka</SortTh>
            <SortTh column="kind" sort={sort} by={by}>Rodzaj</SortTh>
            <SortTh column="documents" sort={sort} by={by}>Pisma</SortTh>
            <SortTh column="decretations" sort={sort} by={by}>Dekretacje</SortTh>
            <SortTh column="opened" sort={sort} by={by}>Sprawy założone</SortTh>
            <SortTh column="closed" sort={sort} by={by}>Zakończone</SortTh>
            <SortTh column="late" sort={sort} by={by}>Po terminie zakończone</SortTh>
            <SortTh column="overdue" sort={sort} by={by}>Po terminie (stan)</SortTh>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((u) => (
            <Table.Tr key={u.unit}>
              <Table.Td>
                <button type="button" className="link-button" onClick={() => onPick(u.unit)}
                  aria-label={`Statystyki jednostki ${u.unit}`}>{u.unit}</button>
              </Table.Td>
              <Table.Td>{u.name}</Table.Td>
              <Table.Td>{u.kind}</Table.Td>
              <Table.Td ta="right">{number(u.documents_total)}</Table.Td>
              <Table.Td ta="right">{number(u.decretations)}</Table.Td>
              <Table.Td ta="right">{number(u.cases_opened)}</Table.Td>
              <Table.Td ta="right">{number(u.cases_closed)}</Table.Td>
              <Table.Td ta="right">{number(u.cases_closed_late)}</Table.Td>
              <Table.Td ta="right">{number(u.cases_overdue)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

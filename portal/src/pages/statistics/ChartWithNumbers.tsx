// A chart and, beside it, the same numbers as a table: the table is what a screen reader,
// a printout and a spreadsheet user read; the chart is drawn from the very same rows.
import type { ReactNode } from "react";
import { Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { BarChart } from "@mantine/charts";
import { COLOURS, formatNumber } from "./labels";

export interface Series {
  key: string;
  label: string;
}

export interface Row {
  label: string;
  values: Record<string, number>;
}

export function ChartWithNumbers({ id, title, rowHeader, rows, series, stacked = false, horizontal = false, note,
  withTotal = true }: {
  id: string;
  title: string;
  rowHeader: string;
  rows: Row[];
  series: Series[];
  stacked?: boolean;
  horizontal?: boolean;
  note?: ReactNode;
  /** A "Razem" line: only where the rows are parts of one whole. */
  withTotal?: boolean;
}) {
  const data = rows.map((row) => ({ label: row.label, ...row.values }));
  const total = (key: string) => rows.reduce((sum, row) => sum + (row.values[key] ?? 0), 0);
  const empty = rows.every((row) => series.every((s) => !row.values[s.key]));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`${id}-title`} className="avoid-break">
      <Title order={3} id={`${id}-title`} mb="sm">{title}</Title>
      {note && <Text size="sm" mb="sm">{note}</Text>}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        {/* The picture only: the table beside it says the same in words and numbers. */}
        <div aria-hidden="true" className="chart">
          {empty ? <Text c="dimmed" py="xl" ta="center">Brak danych do wykresu</Text> : (
            <BarChart h={horizontal ? Math.max(160, rows.length * 36) : 280} data={data} dataKey="label"
              type={stacked ? "stacked" : "default"} orientation={horizontal ? "vertical" : "horizontal"}
              series={series.map((s, n) => ({ name: s.key, label: s.label, color: COLOURS[n % COLOURS.length] }))}
              withLegend={series.length > 1} withTooltip={false} accessibilityLayer={false}
              valueFormatter={formatNumber}
              xAxisProps={horizontal ? { allowDecimals: false } : undefined}
              yAxisProps={horizontal ? { width: 200 } : { allowDecimals: false }} />
          )}
        </div>
        <Stack gap={4}>
          <Table striped withTableBorder aria-labelledby={`${id}-title`} data-testid={`${id}-table`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{rowHeader}</Table.Th>
                {series.map((s) => <Table.Th scope="col" key={s.key} ta="right">{s.label}</Table.Th>)}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.label}>
                  <Table.Th scope="row" fw={400}>{row.label}</Table.Th>
                  {series.map((s) => <Table.Td key={s.key} ta="right">{formatNumber(row.values[s.key] ?? 0)}</Table.Td>)}
                </Table.Tr>
              ))}
            </Table.Tbody>
            {withTotal && rows.length > 1 && (
              <Table.Tfoot>
                <Table.Tr>
                  <Table.Th scope="row">Razem</Table.Th>
                  {series.map((s) => <Table.Td key={s.key} ta="right" fw={700}>{formatNumber(total(s.key))}</Table.Td>)}
                </Table.Tr>
              </Table.Tfoot>
            )}
          </Table>
        </Stack>
      </SimpleGrid>
    </Paper>
  );
}

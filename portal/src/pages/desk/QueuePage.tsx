// A queue of the unit (the registry desk's, the managers'): its documents in a table with
// their count, one action per row that opens the queue's dialog, and a reload when the
// dialog has done its work.
import { useState, type ReactNode } from "react";
import { Alert, Button, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { dateTime } from "../../i18n/dates";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";

export type QueueItem = Schemas["RoutingSnapshot"];

export interface QueueColumn {
  header: string;
  cell: (item: QueueItem) => ReactNode;
}

export function QueuePage({ name, title, empty, tableLabel, action, columns, dialog }: {
  name: "registry" | "managers";
  title: string;
  empty: string;
  tableLabel: string;
  action: string; // the button's text; its accessible name adds the registry number
  columns: QueueColumn[]; // between "Dotyczy" and "Od"
  dialog: (unit: string, item: QueueItem, close: () => void, done: () => void) => ReactNode;
}) {
  const { unit } = useUser();
  const queue = useLoad(() => api.GET("/units/{unit}/queues/{name}", { params: { path: { unit, name } } }), [unit, name]);
  const [open, setOpen] = useState<QueueItem | null>(null);
  if (queue.status) return <Refusal status={queue.status} />;
  const items = queue.data?.items ?? [];
  return (
    <Stack gap="md">
      <Title order={2}>{title}</Title>
      <Text aria-live="polite" data-testid="queue-count">
        {queue.loading && !queue.data ? "Wczytywanie…" : items.length === 0 ? empty
          : `W kolejce: ${countOf(items.length, NOUNS.dokument)}.`}
      </Text>
      {queue.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}
      <Paper withBorder>
        <Table striped aria-label={tableLabel}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Numer</Table.Th>
              <Table.Th scope="col">Dotyczy</Table.Th>
              {columns.map((c) => <Table.Th key={c.header} scope="col">{c.header}</Table.Th>)}
              <Table.Th scope="col">W kolejce od</Table.Th>
              <Table.Th scope="col"><span className="visually-hidden">Działania</span></Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.document_id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  <Link to={`/dokumenty/${item.document_id}`}>{item.registry_number}</Link>
                </Table.Td>
                <Table.Td>{item.title}</Table.Td>
                {columns.map((c) => <Table.Td key={c.header}>{c.cell(item)}</Table.Td>)}
                <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(item.updated_at)}</Table.Td>
                <Table.Td>
                  <Button size="xs" onClick={() => setOpen(item)} aria-label={`${action} ${item.registry_number}`}>
                    {action}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {open && dialog(unit, open, () => setOpen(null), () => { setOpen(null); queue.reload(); })}
    </Stack>
  );
}

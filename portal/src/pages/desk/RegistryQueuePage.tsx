// The registry desk's queue: registered documents no rule could classify. The clerk
// gives each its JRWA class (a leaf of the unit's plan) or passes it on unclassified, and
// the workflow waiting for it moves on to the decretation.
import { useState } from "react";
import { Alert, Button, Group, Modal, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { JrwaPicker } from "../../components/JrwaPicker";
import { Refusal } from "../../components/NoAccess";
import { dateTime } from "../../i18n/dates";
import { errorMessage } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";

type Item = Schemas["RoutingSnapshot"];

function ClassifyDialog({ unit, item, onClose, onDone }: {
  unit: string; item: Item; onClose: () => void; onDone: () => void;
}) {
  const [symbol, setSymbol] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function send(chosen: string | null) {
    setBusy(true);
    setError(null);
    const { error: failure } = await api.POST("/units/{unit}/documents/{document_id}/classification", {
      params: { path: { unit, document_id: item.document_id } }, body: { jrwa_symbol: chosen },
    }).finally(() => setBusy(false));
    if (failure) {
      setError(errorMessage(failure, "Nie udało się zapisać klasyfikacji."));
      return;
    }
    notifications.show({ message: chosen ? `${item.registry_number}: klasa ${chosen}` : `${item.registry_number}: przekazano bez klasyfikacji` });
    onDone();
  }

  return (
    <Modal opened onClose={onClose} title={`Klasyfikacja: ${item.registry_number}`} size="lg">
      <Stack gap="sm">
        <Text size="sm">{item.title}</Text>
        <JrwaPicker unit={unit} value={symbol} onChange={(s) => setSymbol(s)} />
        {error && <Alert color="red" role="alert">{error}</Alert>}
        <Group justify="space-between">
          <Button variant="default" loading={busy} onClick={() => send(null)}>Przekaż bez klasyfikacji</Button>
          <Button disabled={!symbol} loading={busy} onClick={() => send(symbol)}>
            {symbol ? `Nadaj klasę ${symbol}` : "Wybierz klasę"}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function RegistryQueuePage() {
  const { unit } = useUser();
  const queue = useLoad(() => api.GET("/units/{unit}/queues/{name}", { params: { path: { unit, name: "registry" } } }),
    [unit]);
  const [open, setOpen] = useState<Item | null>(null);
  if (queue.status) return <Refusal status={queue.status} />;
  const items = queue.data?.items ?? [];
  return (
    <Stack gap="md">
      <Title order={2}>Do klasyfikacji</Title>
      <Text aria-live="polite" data-testid="queue-count">
        {queue.loading && !queue.data ? "Wczytywanie…" : items.length === 0 ? "Nic nie czeka na klasyfikację."
          : `W kolejce: ${countOf(items.length, NOUNS.dokument)}.`}
      </Text>
      {queue.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}
      <Paper withBorder>
        <Table striped aria-label="Dokumenty do klasyfikacji">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Numer</Table.Th>
              <Table.Th scope="col">Dotyczy</Table.Th>
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
                <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(item.updated_at)}</Table.Td>
                <Table.Td>
                  <Button size="xs" onClick={() => setOpen(item)} aria-label={`Klasyfikuj ${item.registry_number}`}>
                    Klasyfikuj
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {open && <ClassifyDialog unit={unit} item={open} onClose={() => setOpen(null)}
        onDone={() => { setOpen(null); queue.reload(); }} />}
    </Stack>
  );
}

// The registry desk's queue: registered documents no rule could classify. The clerk
// gives each its JRWA class (a leaf of the unit's plan) or passes it on unclassified, and
// the workflow waiting for it moves on to the decretation.
import { useState } from "react";
import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api } from "../../api/client";
import { JrwaPicker } from "../../components/JrwaPicker";
import { errorMessage } from "../../i18n/labels";
import { QueuePage, type QueueItem } from "./QueuePage";

type Item = QueueItem;

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
  return (
    <QueuePage name="registry" title="Do klasyfikacji" empty="Nic nie czeka na klasyfikację." tableLabel="Dokumenty do klasyfikacji" action="Klasyfikuj"
      columns={[]} dialog={(unit, item, close, done) => <ClassifyDialog unit={unit} item={item} onClose={close} onDone={done} />} />
  );
}

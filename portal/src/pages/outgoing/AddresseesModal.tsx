// Whom the document goes to: entries of the unit's address book (the city's units are in
// it) and the senders of the case's letters; the API copies their addresses.
import { useState } from "react";
import { Alert, Button, Group, Modal, MultiSelect, Stack, Text } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { DISPATCH_CHANNELS, errorMessage } from "../../i18n/labels";

type Addressee = Schemas["Addressee"];

export function addressOf(a: Addressee): string {
  const postal = [a.street, [a.postal_code, a.town].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return [postal, a.ade, a.esp_address].filter(Boolean).join(" · ") || "—";
}

export function channelsOf(a: Addressee): string {
  return a.channels.map((c) => DISPATCH_CHANNELS[c] ?? c).join(", ") || "brak";
}

export function AddresseesModal({ unit, document, opened, onClose, onDone }: {
  unit: string; document: Schemas["OutgoingDocument"]; opened: boolean; onClose: () => void;
  onDone: (view: Schemas["OutgoingView"]) => void;
}) {
  const book = useLoad(() => api.GET("/units/{unit}/contractors", { params: { path: { unit } } }), [unit, opened]);
  const letters = useLoad(() => api.GET("/units/{unit}/cases/{ref}/documents",
    { params: { path: { unit, ref: document.case_ref } } }), [unit, document.case_ref, opened]);
  const current = (document.addressees ?? []).map((a) => a.contractor_id ? `c:${a.contractor_id}` : `d:${a.from_document}`);
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const value = chosen ?? current;
  const options = [
    { group: "Nadawcy pism w sprawie", items: (letters.data?.items ?? []).map((d) => ({
      value: `d:${d.document_id}`, label: `Nadawca pisma ${d.registry_number ?? d.document_id}: ${d.title}` })) },
    { group: "Kontrahenci", items: (book.data?.items ?? []).map((c) => ({ value: `c:${c.contractor_id}`, label: c.name_display })) },
  ];

  async function save() {
    if (value.length === 0) {
      setError("Wybierz co najmniej jednego adresata.");
      return;
    }
    setSending(true);
    const addressees = value.map((v) => v.startsWith("c:") ? { contractor_id: v.slice(2) } : { document_id: v.slice(2) });
    const { data, error: failure } = await api.PUT("/units/{unit}/outgoing/{outgoing_id}/addressees", {
      params: { path: { unit, outgoing_id: document.outgoing_id } }, body: { addressees },
    });
    setSending(false);
    if (data) {
      setChosen(null);
      setError(null);
      onDone(data);
    } else setError(errorMessage(failure, "Nie udało się zapisać adresatów."));
  }

  return (
    <Modal opened={opened} onClose={onClose} title="Adresaci pisma" size="lg">
      <Stack gap="sm">
        <Text size="sm">Adresy (pocztowy, ePUAP, e-Doręczenia) zostaną skopiowane do pisma.</Text>
        <MultiSelect label="Adresaci" placeholder="Zacznij pisać nazwę" searchable data={options} value={value}
          onChange={setChosen} nothingFoundMessage="Nie znaleziono" maxDropdownHeight={280} />
        {error && <Alert color="red" role="alert">{error}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Anuluj</Button>
          <Button onClick={save} loading={sending}>Zapisz adresatów</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

// Adding a contractor or changing one of the unit's (at the version read).
import { useState, type FormEvent } from "react";
import { Alert, Button, Group, Modal, SegmentedControl, SimpleGrid, Stack, TextInput, Textarea } from "@mantine/core";
import { api } from "../../api/client";
import { errorMessage } from "../../i18n/labels";
import { EMPTY, detailsOf, draftOf, problemsOf, type Contractor, type Draft } from "./contractorForm";

export function ContractorModal({ unit, editing, opened, onClose, onSaved }: {
  unit: string; editing: Contractor | null; opened: boolean; onClose: () => void; onSaved: (c: Contractor) => void;
}) {
  const [draft, setDraft] = useState<Draft>(editing ? draftOf(editing) : EMPTY);
  const [touched, setTouched] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const problems = problemsOf(draft);
  const shown = (field: keyof typeof problems) => (touched ? problems[field] : undefined);
  const set = (field: keyof Draft) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setDraft((d) => ({ ...d, [field]: value }));
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    setSaving(true);
    setFailure(null);
    const details = detailsOf(draft);
    const answer = editing
      ? await api.PUT("/units/{unit}/contractors/{contractor_id}", { params: { path: { unit, contractor_id: editing.contractor_id } },
        body: { details, expected_version: editing.version ?? 1 } })
      : await api.POST("/units/{unit}/contractors", { params: { path: { unit } }, body: details });
    setSaving(false);
    if (answer.data) onSaved(answer.data);
    else setFailure(errorMessage(answer.error as { error_code?: string }, "Nie udało się zapisać kontrahenta."));
  }

  return (
    <Modal opened={opened} onClose={onClose} size="lg" title={editing ? `Zmiana: ${editing.name_display}` : "Nowy kontrahent"}>
      <form onSubmit={save} noValidate aria-label={editing ? "Zmiana kontrahenta" : "Nowy kontrahent"}>
        <Stack gap="sm">
          <SegmentedControl value={draft.kind} aria-label="Rodzaj kontrahenta"
            onChange={(v) => setDraft((d) => ({ ...d, kind: v as Draft["kind"] }))}
            data={[{ value: "institution", label: "Instytucja" }, { value: "person", label: "Osoba" }]} />
          {draft.kind === "institution" ? (
            <TextInput label="Nazwa instytucji" required value={draft.institution} onChange={set("institution")}
              error={shown("institution")} />
          ) : (
            <SimpleGrid cols={2}>
              <TextInput label="Imiona" value={draft.first_names} onChange={set("first_names")} />
              <TextInput label="Nazwisko" required value={draft.surname} onChange={set("surname")} error={shown("surname")} />
            </SimpleGrid>
          )}
          <TextInput label="Ulica i numer" value={draft.street} onChange={set("street")} />
          <SimpleGrid cols={2}>
            <TextInput label="Kod pocztowy" value={draft.postal_code} onChange={set("postal_code")} error={shown("postal_code")} />
            <TextInput label="Miejscowość" value={draft.town} onChange={set("town")} />
          </SimpleGrid>
          <TextInput label="Skrytka ePUAP" description="/podmiot/skrytka" value={draft.esp_address}
            onChange={set("esp_address")} error={shown("esp_address")} />
          <TextInput label="Adres do e-Doręczeń" description="AE:PL-12345-67890-ABCDE-12" value={draft.ade}
            onChange={set("ade")} error={shown("ade")} />
          <TextInput label="E-mail" value={draft.email} onChange={set("email")} error={shown("email")} />
          <Textarea label="Uwagi" autosize minRows={2} value={draft.notes} onChange={set("notes")} />
          {shown("address") && <Alert color="red" role="alert">{problems.address}</Alert>}
          {failure && <Alert color="red" role="alert">{failure}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Anuluj</Button>
            <Button type="submit" loading={saving}>Zapisz</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// The registry desk corrects a registered item's metadata: a new version with a reason;
// the old values stay in the versions table and the metryka.
import { useState, type FormEvent } from "react";
import { Alert, Button, Group, Modal, Select, Stack, TextInput, Textarea } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { errorMessage } from "../../i18n/labels";
import { ACCESS_LEVELS } from "./metadataFields";

type Entry = Schemas["RegistryEntry"];
type Changes = Schemas["MetadataChanges"];

export function CorrectMetadata({ unit, documentId, entry, onDone }: {
  unit: string; documentId: string; entry: Entry; onDone: (version: number) => void;
}) {
  const [opened, setOpened] = useState(false);
  const initial = {
    title: entry.title, letter_date: entry.letter_date ?? "", sender_reference: entry.sender_reference ?? "",
    kind: entry.kind ?? "", access: entry.access, remarks: entry.remarks ?? "",
  };
  const [values, setValues] = useState(initial);
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const changes: Changes = {};
  if (values.title.trim() !== entry.title) changes.title = values.title.trim();
  if (values.letter_date !== (entry.letter_date ?? "") && values.letter_date) changes.letter_date = values.letter_date;
  if (values.sender_reference !== (entry.sender_reference ?? "")) changes.sender_reference = values.sender_reference;
  if (values.kind !== (entry.kind ?? "") && values.kind) changes.kind = values.kind;
  if (values.access !== entry.access) changes.access = values.access as Changes["access"];
  if (values.remarks !== (entry.remarks ?? "")) changes.remarks = values.remarks;
  const problems: Record<string, string> = {};
  if (!values.title.trim()) problems.title = "Podaj, czego dotyczy pismo.";
  if (values.letter_date && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(values.letter_date)) {
    problems.letter_date = "Data w postaci RRRR-MM-DD (albo RRRR-MM, RRRR, gdy dzień nie jest znany).";
  }
  if (!reason.trim()) problems.reason = "Podaj powód korekty.";
  const nothing = Object.keys(changes).length === 0;

  function open() {
    setValues(initial);
    setReason("");
    setTouched(false);
    setFailure(null);
    setOpened(true);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0 || nothing) return;
    setSaving(true);
    setFailure(null);
    const { data, error } = await api.PATCH("/units/{unit}/documents/{document_id}/metadata", {
      params: { path: { unit, document_id: documentId } }, body: { changes, reason: reason.trim() } });
    setSaving(false);
    if (data) {
      setOpened(false);
      onDone(data.version);
    } else {
      setFailure(errorMessage(error as { error_code?: string }, "Nie udało się zapisać korekty."));
    }
  }

  const set = (field: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  return (
    <>
      <Button size="xs" variant="default" onClick={open} className="no-print">Popraw metadane</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Korekta metadanych" size="lg">
        <form onSubmit={save} noValidate aria-label="Korekta metadanych">
          <Stack gap="sm">
            <TextInput label="Dotyczy (tytuł)" required value={values.title} error={touched && problems.title}
              onChange={(e) => set("title")(e.currentTarget.value)} />
            <Group grow>
              <TextInput label="Data pisma" description="RRRR-MM-DD" value={values.letter_date}
                error={touched && problems.letter_date} onChange={(e) => set("letter_date")(e.currentTarget.value)} />
              <TextInput label="Znak pisma nadawcy" value={values.sender_reference}
                onChange={(e) => set("sender_reference")(e.currentTarget.value)} />
            </Group>
            <Group grow>
              <TextInput label="Rodzaj" value={values.kind} onChange={(e) => set("kind")(e.currentTarget.value)} />
              <Select label="Dostęp" data={ACCESS_LEVELS} value={values.access} allowDeselect={false}
                onChange={(v) => v && set("access")(v)} />
            </Group>
            <Textarea label="Uwagi" autosize minRows={2} value={values.remarks}
              onChange={(e) => set("remarks")(e.currentTarget.value)} />
            <Textarea label="Powód korekty" required autosize minRows={2} value={reason}
              error={touched && problems.reason} onChange={(e) => setReason(e.currentTarget.value)} />
            {touched && nothing && <Alert color="yellow" role="alert">Nic nie zmieniono: popraw co najmniej jedno pole.</Alert>}
            {failure && <Alert color="red" role="alert">{failure}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>Anuluj</Button>
              <Button type="submit" loading={saving}>Zapisz korektę</Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

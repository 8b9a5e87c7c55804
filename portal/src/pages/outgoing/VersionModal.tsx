// A new version of a draft: its file (uploaded like the first) and what changed.
import { useState, type FormEvent } from "react";
import { Alert, Button, Group, Modal, Stack, Textarea } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { ScanDrop } from "../../components/ScanDrop";
import { errorMessage } from "../../i18n/labels";
import { DRAFT_FILE, useDraftUpload } from "./useDraftUpload";

export function VersionModal({ unit, outgoingId, opened, onClose, onDone }: {
  unit: string; outgoingId: string; opened: boolean; onClose: () => void; onDone: (view: Schemas["OutgoingView"]) => void;
}) {
  const file = useDraftUpload(unit);
  const [note, setNote] = useState("");
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  async function send(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!file.uploadId) return;
    setSending(true);
    const { data, error: failure } = await api.POST("/units/{unit}/outgoing/{outgoing_id}/versions", {
      params: { path: { unit, outgoing_id: outgoingId } }, body: { upload_id: file.uploadId, note: note.trim() || null },
    });
    setSending(false);
    if (data) {
      file.reset();
      setNote("");
      setTouched(false);
      onDone(data);
    } else setError(errorMessage(failure, "Nie udało się dodać wersji."));
  }

  return (
    <Modal opened={opened} onClose={onClose} title="Nowa wersja pisma" size="lg">
      <form onSubmit={send} noValidate>
        <Stack gap="sm">
          <ScanDrop onFile={file.upload} progress={file.progress} fileName={file.fileName} words={DRAFT_FILE}
            error={file.error ?? (touched && !file.uploadId ? "Dodaj plik nowej wersji" : null)} />
          <Textarea label="Co się zmieniło" autosize minRows={2} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Anuluj</Button>
            <Button type="submit" loading={sending}>Dodaj wersję</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// A signature made outside the system (a qualified signature, Profil Zaufany): the officer
// uploads the signed file — an XML signed inside, or the approved file with its detached
// .xades — and the API verifies it before taking it.
import { useState, type FormEvent } from "react";
import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { ScanDrop, type DropWords } from "../../components/ScanDrop";
import { errorMessage } from "../../i18n/labels";
import { DRAFT_FILE, useDraftUpload } from "./useDraftUpload";

const SIGNATURE_FILE: DropWords = {
  prompt: "Upuść tu plik podpisu .xades (jeśli podpis jest zewnętrzny)", chosen: "Podpis", inputLabel: "Plik podpisu",
  help: "Podpis XAdES w osobnym pliku, złożony na zaakceptowanej wersji.", accept: ".xades,.xml,application/xml",
};

export function SignModal({ unit, outgoingId, opened, onClose, onDone }: {
  unit: string; outgoingId: string; opened: boolean; onClose: () => void; onDone: (view: Schemas["OutgoingView"]) => void;
}) {
  const file = useDraftUpload(unit);
  const signature = useDraftUpload(unit);
  const [error, setError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const [sending, setSending] = useState(false);

  async function send(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!file.uploadId) return;
    setSending(true);
    const { data, error: failure } = await api.POST("/units/{unit}/outgoing/{outgoing_id}/signature", {
      params: { path: { unit, outgoing_id: outgoingId } },
      body: { upload_id: file.uploadId, signature_upload_id: signature.uploadId },
    });
    setSending(false);
    if (data) {
      file.reset();
      signature.reset();
      onDone(data);
    } else setError(errorMessage(failure, "Nie udało się przyjąć podpisu."));
  }

  return (
    <Modal opened={opened} onClose={onClose} title="Pismo podpisane poza systemem" size="lg">
      <form onSubmit={send} noValidate>
        <Stack gap="sm">
          <Text size="sm">Podpis zostanie sprawdzony tak jak podpis pisma przychodzącego; przyjmowany jest tylko ważny.</Text>
          <ScanDrop onFile={file.upload} progress={file.progress} fileName={file.fileName} words={DRAFT_FILE}
            error={file.error ?? (touched && !file.uploadId ? "Dodaj podpisany plik" : null)} />
          <ScanDrop onFile={signature.upload} progress={signature.progress} fileName={signature.fileName}
            words={SIGNATURE_FILE} error={signature.error} />
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Anuluj</Button>
            <Button type="submit" loading={sending}>Sprawdź i przyjmij podpis</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

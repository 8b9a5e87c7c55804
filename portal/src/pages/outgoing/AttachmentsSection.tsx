// Załączniki of an outgoing document: the files that go with it (sealed beside it when it
// is sealed, sent with it), added and taken off while it is a draft.
import { useState } from "react";
import { Alert, Anchor, Button, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { ScanDrop } from "../../components/ScanDrop";
import { errorMessage } from "../../i18n/labels";
import { DRAFT_FILE, useDraftUpload } from "./useDraftUpload";

const ATTACHMENT_FILE = { ...DRAFT_FILE, prompt: "Upuść tu plik załącznika albo kliknij, aby wybrać plik",
  chosen: "Załącznik", inputLabel: "Plik załącznika", help: "PDF, DOCX, ODT, XML lub obraz; jeden plik naraz." };

export function AttachmentsSection({ unit, view, mayChange, onChanged }: {
  unit: string; view: Schemas["OutgoingView"]; mayChange: boolean; onChanged: (v: Schemas["OutgoingView"], w: string) => void;
}) {
  const file = useDraftUpload(unit);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const d = view.document;
  const attachments = d.attachments ?? [];
  const path = { path: { unit, outgoing_id: d.outgoing_id } };

  async function add() {
    if (!file.uploadId) return;
    const { data, error: failure } = await api.POST("/units/{unit}/outgoing/{outgoing_id}/attachments",
      { params: path, body: { upload_id: file.uploadId } });
    if (data) {
      file.reset();
      setAdding(false);
      setError(null);
      onChanged(data, `Dodano załącznik ${file.fileName ?? ""}.`);
    } else setError(errorMessage(failure, "Nie udało się dodać załącznika (ten plik albo ta nazwa już jest?)."));
  }

  async function remove(sha256: string, name: string) {
    const { data, error: failure } = await api.DELETE("/units/{unit}/outgoing/{outgoing_id}/attachments/{sha256}",
      { params: { path: { ...path.path, sha256 } } });
    if (data) onChanged(data, `Usunięto załącznik ${name}.`);
    else setError(errorMessage(failure, "Nie udało się usunąć załącznika."));
  }

  return (
    <Stack gap="xs">
      {attachments.length === 0 ? <Text size="sm">Pismo nie ma załączników.</Text> : (
        <Table aria-label="Załączniki pisma">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Plik</Table.Th>
              <Table.Th scope="col">Dodał(a)</Table.Th>
              {mayChange && <Table.Th scope="col"><span className="visually-hidden">Działania</span></Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {attachments.map((a) => {
              const link = (view.attachment_links ?? []).find((l) => l.name === a.name);
              return (
                <Table.Tr key={a.sha256}>
                  <Table.Td>{link ? <Anchor href={link.url} download={a.name}>{a.name}</Anchor> : a.name}</Table.Td>
                  <Table.Td>{a.added_by}</Table.Td>
                  {mayChange && <Table.Td><Button size="compact-xs" variant="default" aria-label={`Usuń załącznik ${a.name}`}
                    onClick={() => remove(a.sha256, a.name)}>Usuń</Button></Table.Td>}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {error && <Alert color="red" role="alert">{error}</Alert>}
      {mayChange && <Group><Button variant="default" onClick={() => setAdding(true)}>Dodaj załącznik</Button></Group>}
      <Modal opened={adding} onClose={() => setAdding(false)} title="Nowy załącznik" size="lg">
        <Stack gap="sm">
          <ScanDrop onFile={file.upload} progress={file.progress} fileName={file.fileName} words={ATTACHMENT_FILE}
            error={file.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAdding(false)}>Anuluj</Button>
            <Button onClick={add} disabled={!file.uploadId}>Dodaj</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

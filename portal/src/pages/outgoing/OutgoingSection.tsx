// Pisma wychodzące of a case: the answers drafted in it (those the caller may see), and
// for its officer or a manager a new draft — a title and the file of its first version.
import { useState, type FormEvent } from "react";
import { Alert, Badge, Button, Group, Loader, Modal, Stack, Table, Text, TextInput, Textarea } from "@mantine/core";
import { Link, useNavigate } from "react-router";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { ScanDrop } from "../../components/ScanDrop";
import { dateTime } from "../../i18n/dates";
import { OUTGOING_STATUSES, errorMessage, label } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { DRAFT_FILE, useDraftUpload } from "./useDraftUpload";

export function outgoingAddress(outgoingId: string): string {
  return `/pisma/${outgoingId}`;
}

export function OutgoingSection({ unit, caseRef, mayDraft }: { unit: string; caseRef: string; mayDraft: boolean }) {
  const list = useLoad(() => api.GET("/units/{unit}/cases/{ref}/outgoing", { params: { path: { unit, ref: caseRef } } }),
    [unit, caseRef]);
  const [drafting, setDrafting] = useState(false);
  const items = list.data?.items ?? [];
  if (list.loading && !list.data) return <Loader size="sm" aria-label="Wczytywanie pism wychodzących" />;
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" data-testid="outgoing-count">
          {items.length === 0 ? "W sprawie nie ma jeszcze pism wychodzących." : countOf(items.length, NOUNS.pismo)}
        </Text>
        {mayDraft && <Button variant="default" onClick={() => setDrafting(true)}>Nowy projekt pisma</Button>}
      </Group>
      {items.length > 0 && (
        <Table aria-label="Pisma wychodzące sprawy" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Dotyczy</Table.Th>
              <Table.Th scope="col">Stan</Table.Th>
              <Table.Th scope="col">Wersja</Table.Th>
              <Table.Th scope="col">Adresaci</Table.Th>
              <Table.Th scope="col">Zmieniono</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map(({ document: d }) => (
              <Table.Tr key={d.outgoing_id}>
                <Table.Td><Link to={outgoingAddress(d.outgoing_id)}>{d.title}</Link></Table.Td>
                <Table.Td><Badge variant="light" tt="none">{label(OUTGOING_STATUSES, d.status ?? "draft")}</Badge></Table.Td>
                <Table.Td>{(d.versions ?? []).length}</Table.Td>
                <Table.Td>{(d.addressees ?? []).map((a) => a.name).join("; ") || "—"}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(d.updated_at)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <NewDraft unit={unit} caseRef={caseRef} opened={drafting} onClose={() => setDrafting(false)} />
    </Stack>
  );
}

function NewDraft({ unit, caseRef, opened, onClose }: { unit: string; caseRef: string; opened: boolean; onClose: () => void }) {
  const file = useDraftUpload(unit);
  const navigate = useNavigate();
  const [title, setTitle] = useState("");
  const [note, setNote] = useState("");
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const problems = { title: title.trim() ? null : "Podaj, czego dotyczy pismo", file: file.uploadId ? null : "Dodaj plik pisma" };

  async function create(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (problems.title || problems.file || !file.uploadId) return;
    setSending(true);
    setError(null);
    const { data, error: failure } = await api.POST("/units/{unit}/cases/{ref}/outgoing", {
      params: { path: { unit, ref: caseRef } }, body: { title: title.trim(), upload_id: file.uploadId, note: note.trim() || null },
    });
    setSending(false);
    if (data) navigate(outgoingAddress(data.document.outgoing_id));
    else setError(errorMessage(failure, "Nie udało się utworzyć projektu."));
  }

  return (
    <Modal opened={opened} onClose={onClose} title="Nowy projekt pisma wychodzącego" size="lg">
      <form onSubmit={create} noValidate>
        <Stack gap="sm">
          <TextInput label="Dotyczy" required value={title} onChange={(e) => setTitle(e.currentTarget.value)}
            error={touched && problems.title} />
          <ScanDrop onFile={file.upload} progress={file.progress} fileName={file.fileName} words={DRAFT_FILE}
            error={file.error ?? (touched ? problems.file : null)} />
          <Textarea label="Uwagi do wersji" autosize minRows={2} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Anuluj</Button>
            <Button type="submit" loading={sending}>Utwórz projekt</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

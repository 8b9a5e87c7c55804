// Pisma wychodzące of a case: the answers drafted in it (those the caller may see), and
// for its officer or a manager a new draft — a title and its first version, from one of
// the unit's templates or from a file, and optionally its addressee.
import { useState, type FormEvent } from "react";
import {
  Alert, Button, Group, Loader, Modal, SegmentedControl, Select, Stack, Table, Text, TextInput, Textarea,
} from "@mantine/core";
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
                <Table.Td style={{ whiteSpace: "nowrap" }}>{label(OUTGOING_STATUSES, d.status ?? "draft")}</Table.Td>
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
  const [source, setSource] = useState<"template" | "upload">("template");
  const [title, setTitle] = useState("");
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [addressee, setAddressee] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const templates = useLoad(() => api.GET("/units/{unit}/letter-templates", { params: { path: { unit } } }), [unit, opened]);
  const book = useLoad(() => api.GET("/units/{unit}/contractors", { params: { path: { unit } } }), [unit, opened]);
  const letters = useLoad(() => api.GET("/units/{unit}/cases/{ref}/documents",
    { params: { path: { unit, ref: caseRef } } }), [unit, caseRef, opened]);
  const templateOptions = (templates.data?.items ?? []).filter((t) => t.status !== "archived")
    .map((t) => ({ value: t.template_id, label: t.name }));
  const addresseeOptions = [
    { group: "Nadawcy pism w sprawie", items: (letters.data?.items ?? []).map((d) => ({
      value: `d:${d.document_id}`, label: `Nadawca pisma ${d.registry_number ?? d.document_id}` })) },
    { group: "Kontrahenci", items: (book.data?.items ?? []).map((c) => ({ value: `c:${c.contractor_id}`, label: c.name_display })) },
  ];
  const problems = {
    title: title.trim() ? null : "Podaj, czego dotyczy pismo",
    file: source === "upload" && !file.uploadId ? "Dodaj plik pisma" : null,
    template: source === "template" && !templateId ? "Wybierz szablon" : null,
  };

  async function create(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (problems.title || problems.file || problems.template) return;
    setSending(true);
    setError(null);
    const chosen = addressee ? [addressee.startsWith("c:") ? { contractor_id: addressee.slice(2) }
      : { document_id: addressee.slice(2) }] : null;
    const body = source === "template"
      ? { title: title.trim(), template_id: templateId, addressees: chosen, note: note.trim() || null }
      : { title: title.trim(), upload_id: file.uploadId, addressees: chosen, note: note.trim() || null };
    const { data, error: failure } = await api.POST("/units/{unit}/cases/{ref}/outgoing", {
      params: { path: { unit, ref: caseRef } }, body,
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
          <SegmentedControl value={source} onChange={(v) => setSource(v as "template" | "upload")} aria-label="Treść pisma"
            data={[{ value: "template", label: "Z szablonu jednostki" }, { value: "upload", label: "Z pliku" }]} />
          {source === "template" ? (
            <Select label="Szablon" placeholder="Wybierz szablon" data={templateOptions} value={templateId}
              onChange={setTemplateId} searchable error={touched && problems.template} />
          ) : (
            <ScanDrop onFile={file.upload} progress={file.progress} fileName={file.fileName} words={DRAFT_FILE}
              error={file.error ?? (touched ? problems.file : null)} />
          )}
          <Select label="Adresat" description="Można go też wskazać później; szablon wypełni jego dane"
            placeholder="Zacznij pisać nazwę" data={addresseeOptions} value={addressee} onChange={setAddressee}
            searchable clearable nothingFoundMessage="Nie znaleziono" />
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

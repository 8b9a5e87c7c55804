// The template's versions (each kept, newest first, any one shown in full), the preview of
// a letter made from it (for a case and a contractor of the unit, or made-up data), and
// the unit's letterhead.
import { useState, type FormEvent } from "react";
import { Alert, Anchor, Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput, Textarea } from "@mantine/core";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { errorMessage } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { CHANGES, type LetterPreview, type LetterTemplate, type TemplateVersion } from "./letterTemplates";

const WHEN = new Intl.DateTimeFormat("pl-PL", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Warsaw" });

export function VersionsModal({ unit, template, onClose }: { unit: string; template: LetterTemplate; onClose: () => void }) {
  const versions = useLoad(() => api.GET("/units/{unit}/letter-templates/{template_id}/versions",
    { params: { path: { unit, template_id: template.template_id } } }), [unit, template.template_id]);
  const [shown, setShown] = useState<TemplateVersion | null>(null);
  const items = versions.data?.items ?? [];
  return (
    <Modal opened onClose={onClose} size="xl" title={`Wersje szablonu: ${template.name}`}>
      <Stack gap="sm">
        <Text size="sm" aria-live="polite">{versions.loading ? "Wczytywanie…" : countOf(items.length, NOUNS.wersja)}</Text>
        <Table striped aria-label="Wersje szablonu">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Wersja</Table.Th>
              <Table.Th scope="col">Zmiana</Table.Th>
              <Table.Th scope="col">Kiedy</Table.Th>
              <Table.Th scope="col">Kto</Table.Th>
              <Table.Th scope="col">Nazwa</Table.Th>
              <Table.Th scope="col"><span className="visually-hidden">Działanie</span></Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((v) => (
              <Table.Tr key={v.version}>
                <Table.Td>{v.version}</Table.Td>
                <Table.Td>{CHANGES[v.change] ?? v.change}</Table.Td>
                <Table.Td>{v.changed_at ? WHEN.format(new Date(v.changed_at)) : "szablon miasta"}</Table.Td>
                <Table.Td>{v.changed_by ?? "—"}</Table.Td>
                <Table.Td>{v.name}</Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="default" aria-label={`Pokaż wersję ${v.version}`}
                    onClick={() => setShown(v)}>Pokaż</Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {shown && (
          <Paper withBorder p="sm" aria-label={`Wersja ${shown.version}`} component="section">
            <Text fw={600}>Wersja {shown.version}: {shown.name}</Text>
            {shown.subject && <Text size="sm">Dotyczy: {shown.subject}</Text>}
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }} mt="xs">{shown.body}</Text>
          </Paper>
        )}
      </Stack>
    </Modal>
  );
}

export function PreviewModal({ unit, template, onClose }: { unit: string; template: LetterTemplate; onClose: () => void }) {
  const book = useLoad(() => api.GET("/units/{unit}/contractors", { params: { path: { unit } } }), [unit]);
  const [caseRef, setCaseRef] = useState("");
  const [contractor, setContractor] = useState<string | null>(null);
  const [preview, setPreview] = useState<LetterPreview | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const contractors = (book.data?.items ?? []).map((c) => ({ value: c.contractor_id, label: c.name_display }));

  async function show(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const { data, error } = await api.POST("/units/{unit}/letter-templates/{template_id}/preview", {
      params: { path: { unit, template_id: template.template_id } },
      body: { case_ref: caseRef.trim() || null, contractor_id: contractor } });
    setBusy(false);
    setPreview(data ?? null);
    if (!data) {
      setFailure((error as { error_code?: string })?.error_code === "NOT_FOUND"
        ? "Nie ma w jednostce sprawy o tym znaku." : errorMessage(error as { error_code?: string }, "Nie udało się przygotować podglądu."));
    }
  }

  return (
    <Modal opened onClose={onClose} size="xl" title={`Podgląd pisma: ${template.name}`}>
      <form onSubmit={show} aria-label="Dane do podglądu">
        <Group align="flex-end">
          <TextInput label="Znak sprawy" description="Puste: dane przykładowe" value={caseRef}
            onChange={(e) => setCaseRef(e.currentTarget.value)} w={240} />
          <Select label="Adresat (kontrahent)" data={contractors} value={contractor} onChange={setContractor}
            searchable clearable w={360} nothingFoundMessage="Brak takiego kontrahenta" />
          <Button type="submit" loading={busy}>Pokaż podgląd</Button>
        </Group>
      </form>
      {failure && <Alert color="red" role="alert" mt="sm">{failure}</Alert>}
      {preview && (
        <Stack gap="xs" mt="sm">
          <Text size="sm" role="status">
            {preview.sample ? "Podgląd na danych przykładowych" : "Podgląd dla wybranej sprawy"}
            {` — wersja ${preview.template_version}, ${countOf(preview.pages, NOUNS.strona)}.`}
            {preview.missing.length > 0 && ` Bez wartości (w piśmie „……”): ${preview.missing.join(", ")}.`}
          </Text>
          <Anchor href={preview.file.url} data-testid="letter-download">Pobierz PDF ({preview.file.filename})</Anchor>
          {preview.file.preview_url && (
            <iframe src={preview.file.preview_url} title={`Podgląd pisma: ${template.name}`}
              style={{ width: "100%", height: 560, border: 0 }} />
          )}
        </Stack>
      )}
    </Modal>
  );
}

export function LetterheadModal({ unit, onClose, onSaved }: { unit: string; onClose: () => void; onSaved: () => void }) {
  const head = useLoad(() => api.GET("/units/{unit}/letterhead", { params: { path: { unit } } }), [unit]);
  const [edited, setEdited] = useState<{ name: string; place: string; address: string; contact: string } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const current = head.data;
  const form = edited ?? (current ? {
    name: current.name ?? "", place: current.place ?? "", address: (current.address_lines ?? []).join("\n"),
    contact: (current.contact_lines ?? []).join("\n") } : null);
  const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);
  const tooMany = form ? (lines(form.address).length > 4 ? "Najwyżej 4 wiersze adresu." : undefined) : undefined;
  const tooManyContacts = form ? (lines(form.contact).length > 3 ? "Najwyżej 3 wiersze kontaktu." : undefined) : undefined;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!form || !current || tooMany || tooManyContacts) return;
    const { data, error } = await api.PUT("/units/{unit}/letterhead", { params: { path: { unit } }, body: {
      details: { name: form.name.trim() || null, place: form.place.trim() || null, address_lines: lines(form.address),
        contact_lines: lines(form.contact) }, expected_version: current.version ?? 0 } });
    if (data) onSaved();
    else setFailure((error as { error_code?: string })?.error_code === "LETTERHEAD_CHANGED"
      ? "Ktoś zmienił papier firmowy w międzyczasie — zamknij okno i spróbuj ponownie."
      : errorMessage(error as { error_code?: string }, "Nie udało się zapisać papieru firmowego."));
  }

  return (
    <Modal opened onClose={onClose} size="lg" title="Papier firmowy jednostki">
      {form && (
        <form onSubmit={save} noValidate aria-label="Papier firmowy jednostki">
          <Stack gap="sm">
            <TextInput label="Nazwa jednostki w nagłówku" value={form.name}
              onChange={(e) => setEdited({ ...form, name: e.currentTarget.value })} />
            <Textarea label="Adres (wiersz pod wierszem)" autosize minRows={2} value={form.address} error={tooMany}
              onChange={(e) => setEdited({ ...form, address: e.currentTarget.value })} />
            <Textarea label="Kontakt (telefon, e-mail, strona)" autosize minRows={2} value={form.contact}
              error={tooManyContacts} onChange={(e) => setEdited({ ...form, contact: e.currentTarget.value })} />
            <TextInput label="Miejscowość w dacie pisma" description="np. Lublin → „Lublin, 4 grudnia 2026 r.”"
              value={form.place} onChange={(e) => setEdited({ ...form, place: e.currentTarget.value })} />
            {failure && <Alert color="red" role="alert">{failure}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>Anuluj</Button>
              <Button type="submit">Zapisz</Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

// Adding a letter template or changing one (at the version read): the placeholder
// vocabulary is listed beside the text, each inserted where the cursor was in "Dotyczy"
// or "Treść"; problems are said at their field, in Polish, before and after sending.
import { useRef, useState, type FormEvent } from "react";
import { Alert, Button, Code, Group, Modal, ScrollArea, Stack, Table, Text, TextInput, Textarea } from "@mantine/core";
import { api } from "../../api/client";
import { errorMessage } from "../../i18n/labels";
import {
  EMPTY, draftOf, fieldError, problemsOf, type Draft, type LetterTemplate, type Placeholder, type Problem,
} from "./letterTemplates";

type Target = "subject" | "body";

export function TemplateModal({ unit, editing, vocabulary, onClose, onSaved }: {
  unit: string; editing: LetterTemplate | null; vocabulary: Placeholder[]; onClose: () => void;
  onSaved: (t: LetterTemplate) => void;
}) {
  const [draft, setDraft] = useState<Draft>(editing ? draftOf(editing) : EMPTY);
  const [touched, setTouched] = useState(false);
  const [refused, setRefused] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [target, setTarget] = useState<Target>("body");
  const subjectRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const names = new Set(vocabulary.map((p) => p.name));
  const local = problemsOf(draft, names);
  const shown = touched ? [...local, ...refused] : refused;
  const set = (field: keyof Draft) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setRefused((r) => r.filter((p) => p.field !== field));
    setDraft((d) => ({ ...d, [field]: value }));
  };

  function insert(name: string) {
    const element = target === "subject" ? subjectRef.current : bodyRef.current;
    const text = `{{ ${name} }}`;
    const current = draft[target];
    const start = element?.selectionStart ?? current.length;
    const end = element?.selectionEnd ?? current.length;
    setDraft((d) => ({ ...d, [target]: current.slice(0, start) + text + current.slice(end) }));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + text.length, start + text.length);
    });
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (local.length > 0) return;
    setSaving(true);
    setFailure(null);
    const content = { name: draft.name.trim(), description: draft.description, subject: draft.subject, body: draft.body };
    const answer = editing
      ? await api.PUT("/units/{unit}/letter-templates/{template_id}", {
        params: { path: { unit, template_id: editing.template_id } },
        body: { content, expected_version: editing.version ?? 1 } })
      : await api.POST("/units/{unit}/letter-templates", { params: { path: { unit } }, body: content });
    setSaving(false);
    if (answer.data) {
      onSaved(answer.data);
      return;
    }
    const error = answer.error as { error_code?: string; problems?: Problem[] } | undefined;
    if (error?.problems?.length) setRefused(error.problems);
    else if (error?.error_code === "LETTER_TEMPLATE_CHANGED") {
      setFailure("Ktoś zmienił ten szablon w międzyczasie — zamknij okno, odśwież listę i spróbuj ponownie.");
    } else setFailure(errorMessage(error, "Nie udało się zapisać szablonu."));
  }

  const title = editing ? `Zmiana szablonu: ${editing.name}` : "Nowy szablon pisma";
  return (
    <Modal opened onClose={onClose} size="xl" title={title}>
      <form onSubmit={save} noValidate aria-label={title}>
        <Stack gap="sm">
          <TextInput label="Nazwa" required value={draft.name} onChange={set("name")}
            error={fieldError(shown, "name")} />
          <TextInput label="Opis" value={draft.description} onChange={set("description")}
            error={fieldError(shown, "description")} />
          <TextInput label="Dotyczy" description="Temat pisma, np. {{ sprawa.tytul }}; puste: bez wiersza „Dotyczy”"
            ref={subjectRef} value={draft.subject} onChange={set("subject")} onFocus={() => setTarget("subject")}
            error={fieldError(shown, "subject")} />
          <Textarea label="Treść" required autosize minRows={8} maxRows={18} ref={bodyRef}
            description="Akapity oddziela pusty wiersz; wiersze zaczynające się od „- ” tworzą wyliczenie."
            value={draft.body} onChange={set("body")} onFocus={() => setTarget("body")}
            error={fieldError(shown, "body")} />
          <div>
            <Text size="sm" fw={600} id="pola-szablonu">
              Pola do wstawienia (wstawiane w miejscu kursora w polu „{target === "subject" ? "Dotyczy" : "Treść"}”)
            </Text>
            <ScrollArea h={220} type="auto">
              <Table striped aria-labelledby="pola-szablonu" data-testid="placeholders">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Pole</Table.Th>
                    <Table.Th scope="col">Znaczenie</Table.Th>
                    <Table.Th scope="col">Przykład</Table.Th>
                    <Table.Th scope="col"><span className="visually-hidden">Działanie</span></Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {vocabulary.map((p) => (
                    <Table.Tr key={p.name}>
                      <Table.Td><Code>{`{{ ${p.name} }}`}</Code></Table.Td>
                      <Table.Td>{p.label}</Table.Td>
                      <Table.Td>{p.example}</Table.Td>
                      <Table.Td>
                        <Button size="compact-xs" variant="default" aria-label={`Wstaw pole: ${p.label}`}
                          onClick={() => insert(p.name)}>Wstaw</Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          </div>
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

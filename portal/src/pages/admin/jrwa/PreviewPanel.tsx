// What publishing would do, as the API computed it without writing: the version the plan
// would become, the classes added, changed and removed — or every problem, in Polish with
// its code — and the one button that publishes.
import { Alert, Badge, Button, Code, Group, List, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import type { Schemas } from "../../../api/client";
import { NOUNS, countOf } from "../../../i18n/plural";
import type { Preview } from "./jrwaApi";
import { ownerName } from "./labels";
import { problemText } from "./problems";

type Entry = Schemas["JrwaEntry"];
type ClassChange = Schemas["JrwaClassChange"];

const FIELD_NAMES: Record<string, string> = {
  heading: "hasło", category: "kategoria", notes: "uwagi", is_leaf: "klasa końcowa",
};

function show(field: string, entry: Entry): string {
  const value = entry[field as keyof Entry];
  if (field === "is_leaf") return value ? "tak" : "nie";
  return value == null || value === "" ? "—" : String(value);
}

function Classes({ title, entries }: { title: string; entries: Entry[] }) {
  if (!entries.length) return null;
  return (
    <section aria-label={title}>
      <Title order={4} size="h5" mb={4}>{title} ({entries.length})</Title>
      <List size="sm" spacing={2}>
        {entries.map((c) => (
          <List.Item key={c.symbol}><strong>{c.symbol}</strong> {c.heading}
            {c.category ? <Badge ml="xs" size="xs" variant="outline" color="indigo.9">{c.category}</Badge> : null}
          </List.Item>))}
      </List>
    </section>
  );
}

function Changed({ changes }: { changes: ClassChange[] }) {
  if (!changes.length) return null;
  return (
    <section aria-label="Zmienione klasy">
      <Title order={4} size="h5" mb={4}>Zmienione klasy ({changes.length})</Title>
      <Table aria-label="Zmienione klasy">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Klasa</Table.Th>
            <Table.Th scope="col">Co</Table.Th>
            <Table.Th scope="col">Było</Table.Th>
            <Table.Th scope="col">Będzie</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {changes.flatMap((c) => c.fields.map((f) => (
            <Table.Tr key={`${c.symbol}-${f}`}>
              <Table.Td>{c.symbol}</Table.Td>
              <Table.Td>{FIELD_NAMES[f] ?? f}</Table.Td>
              <Table.Td>{show(f, c.before)}</Table.Td>
              <Table.Td>{show(f, c.after)}</Table.Td>
            </Table.Tr>)))}
        </Table.Tbody>
      </Table>
    </section>
  );
}

export function PreviewPanel({ preview, note, onNote, onPublish, onCancel, busy, conflict }: {
  preview: Preview; note: string; onNote: (note: string) => void; onPublish: () => void; onCancel: () => void;
  busy: boolean; conflict: string | null;
}) {
  const what = preview.source === "import" ? "import pliku CSV" : "zmiany";
  const problems = preview.problems ?? [];
  const next = preview.valid ? preview.version : null; // the version it would become
  return (
    <Stack gap="sm" data-testid="jrwa-preview">
      {conflict && <Alert color="orange" role="alert" title="Wykaz zmienił się w międzyczasie">{conflict}</Alert>}
      <Text size="sm">
        Podgląd: {what} wobec obowiązującej wersji {preview.base.version} ({ownerName(preview.base.owner)}).
        Nic nie zostało jeszcze zapisane.
      </Text>
      {next ? (
        <>
          <Alert color="blue" role="status" title={`Po opublikowaniu: wersja ${next.version} (${ownerName(next.owner)})`}>
            {preview.class_count != null ? `${countOf(preview.class_count, NOUNS.klasa)} w wykazie.` : ""}
          </Alert>
          <Classes title="Dodane klasy" entries={preview.added ?? []} />
          <Changed changes={preview.changed ?? []} />
          <Classes title="Usunięte klasy" entries={preview.removed ?? []} />
          <Group align="flex-end">
            <TextInput label="Opis wersji (np. numer zarządzenia)" w={380} value={note}
              onChange={(e) => onNote(e.currentTarget.value)} />
            <Button onClick={onPublish} loading={busy}>Opublikuj wersję {next.version}</Button>
            <Button variant="default" onClick={onCancel}>Anuluj</Button>
          </Group>
        </>
      ) : (
        <Alert color="red" role="alert" data-testid="jrwa-problems"
          title={preview.error_code === "JRWA_UNCHANGED" ? "Nic do opublikowania"
            : `Nie można opublikować: ${countOf(problems.length, NOUNS.blad)}`}>
          <List size="sm" spacing={4}>
            {problems.map((p, n) => (
              <List.Item key={n}>{problemText(p)} <Code>{p.code}</Code></List.Item>))}
          </List>
          <Button variant="default" size="xs" mt="sm" onClick={onCancel}>Zamknij podgląd</Button>
        </Alert>
      )}
    </Stack>
  );
}

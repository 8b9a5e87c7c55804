// Rejestr przesyłek wpływających: the unit's incoming register, newest first, paged by the
// API's cursor, with the filters the API supports.
import { useEffect, useState, type FormEvent } from "react";
import { Alert, Button, Group, LoadingOverlay, Paper, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { Link } from "react-router";
import { api, type RegisterPage as Page } from "../api/client";
import { useUser } from "../nav/user";
import { DayInput } from "../components/DayInput";
import { dateTime } from "../i18n/dates";
import { CHANNELS, LINE_STATUSES, SIGNATURES, errorMessage } from "../i18n/labels";
import { NOUNS, countOf } from "../i18n/plural";
import { NO_FILTERS, filterProblems, toQuery, type Filters } from "./registerQuery";

const CHANNEL_OPTIONS = Object.entries(CHANNELS).map(([value, label]) => ({ value, label }));
const STATUS_OPTIONS = Object.entries(LINE_STATUSES).map(([value, label]) => ({ value, label }));
const LIMIT_OPTIONS = ["10", "20", "50", "100"].map((value) => ({ value, label: value }));

export function RegisterPage() {
  const { unit } = useUser();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // tokens[i] opens page i (the first page has none): "previous" goes back along them.
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [touched, setTouched] = useState(false);
  const pageIndex = tokens.length - 1;

  useEffect(() => {
    let live = true;
    setLoading(true);
    api.GET("/units/{unit}/registry", { params: { path: { unit }, query: toQuery(filters, tokens[pageIndex]) } })
      .then(({ data, error: failure }) => {
        if (!live) return;
        if (data) {
          setPage(data);
          setError(null);
        } else {
          setError(errorMessage(failure, "Nie udało się wczytać rejestru."));
        }
      })
      .catch(() => live && setError("Brak połączenia z serwerem."))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [unit, filters, tokens, pageIndex]);

  const problems = filterProblems(draft);

  function apply(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    setFilters({ ...draft });
    setTokens([undefined]);
  }

  function clear() {
    setTouched(false);
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
    setTokens([undefined]);
  }

  const set = (name: keyof Filters) => (value: string | null) => setDraft((d) => ({ ...d, [name]: value ?? "" }));
  const items = page?.items ?? [];
  const limit = Number(filters.limit || 50);
  const first = pageIndex * limit + 1;

  return (
    <Stack gap="md">
      <Title order={2}>Rejestr przesyłek wpływających</Title>
      <Paper withBorder p="md">
        <form onSubmit={apply} aria-label="Filtry rejestru">
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput label="Rok" placeholder="bieżący" inputMode="numeric" w={100} value={draft.year}
              onChange={(e) => set("year")(e.currentTarget.value)} error={touched && problems.year} />
            <DayInput label="Data wpływu od" value={draft.date_from} onChange={set("date_from")} w={160} />
            <DayInput label="Data wpływu do" value={draft.date_to} onChange={set("date_to")} w={160}
              error={touched && problems.date_to} />
            <Select label="Kanał" placeholder="wszystkie" data={CHANNEL_OPTIONS} value={draft.channel || null}
              onChange={set("channel")} clearable w={200} />
            <TextInput label="Nadawca" placeholder="fragment nazwy" value={draft.sender}
              onChange={(e) => set("sender")(e.currentTarget.value)} />
            <TextInput label="Dotyczy" placeholder="fragment tytułu" value={draft.title}
              onChange={(e) => set("title")(e.currentTarget.value)} />
            <TextInput label="Klasa JRWA" placeholder="np. 05" inputMode="numeric" w={120} value={draft.jrwa}
              onChange={(e) => set("jrwa")(e.currentTarget.value)} error={touched && problems.jrwa} />
            <Select label="Status" placeholder="wszystkie" data={STATUS_OPTIONS} value={draft.status || null}
              onChange={set("status")} clearable w={220} />
            <Select label="Na stronie" data={LIMIT_OPTIONS} value={draft.limit} onChange={set("limit")}
              allowDeselect={false} w={110} />
            <Button type="submit">Filtruj</Button>
            <Button variant="default" onClick={clear}>Wyczyść</Button>
          </Group>
        </form>
      </Paper>

      {error && <Alert color="red" role="alert">{error}</Alert>}

      <Group justify="space-between">
        <Text aria-live="polite" data-testid="register-count">
          {loading && !page ? "Wczytywanie…" : items.length === 0
            ? "Brak przesyłek spełniających warunki."
            : `Strona ${pageIndex + 1}: ${countOf(items.length, NOUNS.przesylka)} (pozycje ${first}–${first + items.length - 1})`}
        </Text>
        <Group gap="xs">
          <Button variant="default" disabled={pageIndex === 0 || loading}
            onClick={() => setTokens((t) => t.slice(0, -1))}>Poprzednia strona</Button>
          <Button variant="default" disabled={!page?.next_token || loading}
            onClick={() => page?.next_token && setTokens((t) => [...t, page.next_token ?? undefined])}>
            Następna strona
          </Button>
        </Group>
      </Group>

      <Paper withBorder pos="relative">
        <LoadingOverlay visible={loading} zIndex={10} />
        <Table.ScrollContainer minWidth={800}>
          <Table striped highlightOnHover aria-label={`Rejestr przesyłek wpływających ${unit}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Numer</Table.Th>
                <Table.Th scope="col">Data wpływu</Table.Th>
                <Table.Th scope="col">Nadawca</Table.Th>
                <Table.Th scope="col">Dotyczy</Table.Th>
                <Table.Th scope="col">Kanał</Table.Th>
                <Table.Th scope="col">JRWA</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Podpis</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((entry) => (
                <Table.Tr key={entry.document_id}>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    <Link to={`/dokumenty/${entry.document_id}`}>{entry.registry_number}</Link>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(entry.received_at)}</Table.Td>
                  <Table.Td>{entry.sender.name}{entry.sender.town ? `, ${entry.sender.town}` : ""}</Table.Td>
                  <Table.Td>{entry.title}</Table.Td>
                  <Table.Td>{CHANNELS[entry.channel] ?? entry.channel}</Table.Td>
                  <Table.Td>{entry.jrwa_symbol ?? "—"}</Table.Td>
                  <Table.Td>
                    {entry.status === "in_case" && entry.case_ref
                      ? <>w sprawie <Link to={`/sprawy/${encodeURIComponent(entry.case_ref)}`}>{entry.case_ref}</Link></>
                      : entry.status ? LINE_STATUSES[entry.status] : "—"}
                  </Table.Td>
                  <Table.Td>{SIGNATURES[entry.signature] ?? entry.signature}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </Stack>
  );
}

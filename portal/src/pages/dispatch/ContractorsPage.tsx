// Kontrahenci: the unit's address book beside the city's own units — who a reply can go
// to, and by which channel (e-Doręczenia, ePUAP, post) their addresses allow.
import { useState } from "react";
import { Alert, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { errorMessage } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { hasRole, useUser } from "../../nav/user";
import { ContractorModal } from "./ContractorModal";
import { CHANNEL_NAMES, type Contractor } from "./contractorForm";

const KEEPERS = ["registry_clerk", "case_officer", "manager", "unit_admin"] as const;

function postal(c: Contractor): string {
  return [c.street, [c.postal_code, c.town].filter(Boolean).join(" ")].filter(Boolean).join(", ");
}

export function ContractorsPage() {
  const user = useUser();
  const { unit } = user;
  const [query, setQuery] = useState("");
  const [asked, setAsked] = useState("");
  const [editing, setEditing] = useState<Contractor | null>(null);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const book = useLoad(() => api.GET("/units/{unit}/contractors",
    { params: { path: { unit }, query: asked ? { q: asked } : {} } }), [unit, asked]);
  if (book.status) return <Refusal status={book.status} />;
  const keeps = hasRole(user, KEEPERS);
  const items = book.data?.items ?? [];

  async function remove(c: Contractor) {
    setError(null);
    const { error: failure, response } = await api.DELETE("/units/{unit}/contractors/{contractor_id}", {
      params: { path: { unit, contractor_id: c.contractor_id }, query: { expected_version: String(c.version ?? 1) } } });
    if (response.ok) setNotice(`Usunięto z książki adresowej: ${c.name_display}.`);
    else setError(errorMessage(failure as { error_code?: string }, "Nie udało się usunąć kontrahenta."));
    book.reload();
  }

  function saved(c: Contractor) {
    setNotice(`Zapisano: ${c.name_display}.`);
    setAdding(false);
    setEditing(null);
    book.reload();
  }

  return (
    <Stack gap="md">
      <Title order={2}>Kontrahenci</Title>
      <Group align="flex-end" className="no-print">
        <form onSubmit={(e) => { e.preventDefault(); setAsked(query.trim()); }} role="search" aria-label="Szukaj kontrahenta">
          <Group align="flex-end">
            <TextInput label="Szukaj (nazwa, nazwisko, adres skrytki lub e-Doręczeń)" w={420} value={query}
              onChange={(e) => setQuery(e.currentTarget.value)} />
            <Button type="submit" variant="default">Szukaj</Button>
          </Group>
        </form>
        {keeps && <Button onClick={() => { setNotice(null); setAdding(true); }}>Dodaj kontrahenta</Button>}
      </Group>
      {notice && <Alert color="green" role="status">{notice}</Alert>}
      {error && <Alert color="red" role="alert">{error}</Alert>}
      <Text size="sm" aria-live="polite" data-testid="contractors-count">
        {book.loading && !book.data ? "Wczytywanie…" : countOf(items.length, NOUNS.kontrahent)}
      </Text>
      <Paper withBorder>
        <Table striped aria-label="Kontrahenci" data-testid="contractors-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Nazwa</Table.Th>
              <Table.Th scope="col">Adres pocztowy</Table.Th>
              <Table.Th scope="col">Skrytka ePUAP</Table.Th>
              <Table.Th scope="col">Adres do e-Doręczeń</Table.Th>
              <Table.Th scope="col">Kanały wysyłki</Table.Th>
              <Table.Th scope="col">Skąd</Table.Th>
              {keeps && <Table.Th scope="col">Działania</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((c) => (
              <Table.Tr key={c.contractor_id}>
                <Table.Td>{c.name_display}</Table.Td>
                <Table.Td>{postal(c) || "—"}</Table.Td>
                <Table.Td>{c.esp_address ?? "—"}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{c.ade ?? "—"}</Table.Td>
                <Table.Td>{c.channels.map((ch) => CHANNEL_NAMES[ch] ?? ch).join(", ") || "—"}</Table.Td>
                <Table.Td>{c.owner === "CITY" ? "jednostka miasta" : "książka jednostki"}</Table.Td>
                {keeps && (
                  <Table.Td>
                    {c.owner !== "CITY" && (
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="default" aria-label={`Zmień ${c.name_display}`}
                          onClick={() => { setNotice(null); setEditing(c); }}>Zmień</Button>
                        <Button size="compact-xs" variant="default" color="red" aria-label={`Usuń ${c.name_display}`}
                          onClick={() => remove(c)}>Usuń</Button>
                      </Group>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {(adding || editing) && (
        <ContractorModal key={editing?.contractor_id ?? "new"} unit={unit} editing={editing} opened
          onClose={() => { setAdding(false); setEditing(null); }} onSaved={saved} />
      )}
    </Stack>
  );
}

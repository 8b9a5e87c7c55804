// Ścieżki akceptacji: who approves the unit's outgoing documents, by the JRWA class of
// their case (the longest matching prefix wins). Each path is one or more steps, a person
// or the unit's head (any manager); without a path for a class, the unit's head approves.
import { useMemo, useState } from "react";
import { Alert, Button, Group, MultiSelect, Paper, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { errorMessage } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";

type Path = Schemas["ApprovalPathRule"];
const HEAD = "role:manager";

const stepValue = (s: Schemas["ApproverTarget"]) => (s.login ? `login:${s.login}` : HEAD);
const stepOf = (v: string): Schemas["ApproverTarget"] => (v === HEAD ? { role: "manager" } : { login: v.slice(6) });

export function ApprovalPathsPage() {
  const { unit } = useUser();
  const saved = useLoad(() => api.GET("/units/{unit}/approval-paths", { params: { path: { unit } } }), [unit]);
  const people = useLoad(() => api.GET("/units/{unit}/users", { params: { path: { unit } } }), [unit]);
  const [draft, setDraft] = useState<Path[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const paths = useMemo(() => draft ?? saved.data?.paths ?? [], [draft, saved.data]);
  if (saved.status) return <Refusal status={saved.status} />;

  const choices = [{ value: HEAD, label: "kierownik jednostki (dowolny)" },
    ...(people.data?.users ?? []).filter((u) => u.active).map((u) => ({ value: `login:${u.login}`,
      label: `${u.full_name} — ${u.position} (${u.login})` }))];
  const edit = (n: number, change: Partial<Path>) => setDraft(paths.map((p, i) => (i === n ? { ...p, ...change } : p)));
  const badPrefix = paths.some((p) => !/^\d{0,4}$/.test(p.jrwa_prefix));
  const emptyPath = paths.some((p) => p.steps.length === 0);

  async function save() {
    setError(null);
    if (badPrefix || emptyPath) {
      setError(badPrefix ? "Prefiks JRWA to od 0 do 4 cyfr." : "Każda ścieżka ma co najmniej jeden krok.");
      return;
    }
    const { data, error: failure } = await api.PUT("/units/{unit}/approval-paths", {
      params: { path: { unit } }, body: { paths: paths.map((p) => ({ ...p, unit })) },
    });
    if (!data) {
      setError(errorMessage(failure, "Nie udało się zapisać ścieżek (każdy prefiks raz, akceptujący z jednostki)."));
      return;
    }
    setDraft(null);
    saved.reload();
    notifications.show({ message: "Zapisano ścieżki akceptacji." });
  }

  return (
    <Stack gap="md">
      <Title order={2}>Ścieżki akceptacji</Title>
      <Text size="sm">Projekt pisma idzie do akceptujących ścieżki o najdłuższym pasującym prefiksie klasy JRWA sprawy,
        krok po kroku. Bez pasującej ścieżki projekt akceptuje kierownik jednostki.</Text>
      <Paper withBorder p="md">
        <Text size="sm" mb="xs" data-testid="paths-count">
          {paths.length === 0 ? "Jednostka nie ma własnych ścieżek." : countOf(paths.length, NOUNS.sciezka)}</Text>
        {paths.length > 0 && (
          <Table aria-label="Ścieżki akceptacji">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Prefiks JRWA</Table.Th>
                <Table.Th scope="col">Akceptujący, po kolei</Table.Th>
                <Table.Th scope="col"><span className="visually-hidden">Działania</span></Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {paths.map((path, n) => (
                <Table.Tr key={n}>
                  <Table.Td>
                    <TextInput aria-label={`Prefiks ścieżki ${n + 1}`} w={110} value={path.jrwa_prefix} placeholder="(każda)"
                      onChange={(e) => edit(n, { jrwa_prefix: e.currentTarget.value })}
                      error={!/^\d{0,4}$/.test(path.jrwa_prefix) && "Od 0 do 4 cyfr"} />
                  </Table.Td>
                  <Table.Td>
                    <MultiSelect aria-label={`Akceptujący ścieżki ${n + 1}`} data={choices} searchable
                      value={path.steps.map(stepValue)} onChange={(values) => edit(n, { steps: values.map(stepOf) })}
                      error={path.steps.length === 0 && "Wybierz co najmniej jedną osobę"} />
                  </Table.Td>
                  <Table.Td><Button size="xs" variant="default" aria-label={`Usuń ścieżkę ${n + 1}`}
                    onClick={() => setDraft(paths.filter((_, i) => i !== n))}>Usuń</Button></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Group mt="sm">
          <Button variant="default" onClick={() => setDraft([...paths, { unit, jrwa_prefix: "", steps: [{ role: "manager" }] }])}>
            Dodaj ścieżkę</Button>
          <Button onClick={save} disabled={!draft}>Zapisz ścieżki</Button>
          {draft && <Button variant="default" onClick={() => setDraft(null)}>Odrzuć zmiany</Button>}
        </Group>
        {error && <Alert color="red" role="alert" mt="sm">{error}</Alert>}
      </Paper>
    </Stack>
  );
}

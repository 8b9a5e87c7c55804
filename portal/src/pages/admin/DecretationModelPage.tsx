// Model dekretacji: where the unit's documents go by JRWA class (the longest matching
// prefix wins; the empty prefix takes what is unclassified or unmatched). Until the unit
// saves its own, the city's model applies — shown, and taken as the starting draft.
import { useMemo, useState } from "react";
import { Alert, Badge, Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { errorMessage } from "../../i18n/labels";
import { useUser } from "../../nav/user";

type Rule = Schemas["DecretationModelRule"];

export function DecretationModelPage() {
  const { unit } = useUser();
  const model = useLoad(() => api.GET("/units/{unit}/decretation-model", { params: { path: { unit } } }), [unit]);
  const people = useLoad(() => api.GET("/units/{unit}/users", { params: { path: { unit } } }), [unit]);
  const [draft, setDraft] = useState<Rule[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rules = useMemo(() => draft ?? model.data?.rules ?? [], [draft, model.data]);
  if (model.status) return <Refusal status={model.status} />;

  const targets = [
    { group: "Komórki", items: (people.data?.cells ?? []).map((c) => ({ value: `cell:${c.symbol}`, label: `${c.symbol} — ${c.name}` })) },
    { group: "Osoby", items: (people.data?.users ?? []).filter((u) => u.active).map((u) => ({
      value: `login:${u.login}`, label: `${u.full_name} (${u.login})` })) },
  ];
  const targetOf = (r: Rule) => (r.target.login ? `login:${r.target.login}` : `cell:${r.target.cell}`);
  const edit = (n: number, change: Partial<Rule>) => setDraft(rules.map((r, i) => (i === n ? { ...r, ...change } : r)));

  async function save() {
    setError(null);
    const { data, error: failure } = await api.PUT("/units/{unit}/decretation-model", {
      params: { path: { unit } }, body: { rules: rules.map((r) => ({ ...r, unit })) },
    });
    if (!data) {
      setError(errorMessage(failure, "Nie udało się zapisać modelu (potrzebna jest reguła z pustym prefiksem, a adresaci muszą być z jednostki)."));
      return;
    }
    setDraft(null);
    model.reload();
    notifications.show({ message: "Zapisano model dekretacji." });
  }

  return (
    <Stack gap="md">
      <Title order={2}>Model dekretacji</Title>
      <Text size="sm">Dokument trafia do adresata reguły o najdłuższym pasującym prefiksie klasy JRWA; reguła z pustym
        prefiksem przyjmuje dokumenty bez klasyfikacji i niepasujące do innych.</Text>
      {model.data?.inherited_from_city && !draft && (
        <Alert color="blue" title="Obowiązuje model miasta">Jednostka nie ma własnego modelu. Zmień poniższe reguły i zapisz,
          aby mieć własny.</Alert>)}
      <Paper withBorder p="md">
        <Table aria-label="Reguły modelu dekretacji">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Prefiks JRWA</Table.Th>
              <Table.Th scope="col">Adresat</Table.Th>
              <Table.Th scope="col">Opis</Table.Th>
              <Table.Th scope="col"><span className="visually-hidden">Działania</span></Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rules.map((rule, n) => (
              <Table.Tr key={n}>
                <Table.Td>
                  <TextInput aria-label={`Prefiks reguły ${n + 1}`} w={110} value={rule.jrwa_prefix} placeholder="(każda)"
                    onChange={(e) => edit(n, { jrwa_prefix: e.currentTarget.value })} />
                  {rule.jrwa_prefix === "" && <Badge mt={4} size="xs" variant="outline" color="indigo.9">domyślna</Badge>}
                </Table.Td>
                <Table.Td>
                  <Select aria-label={`Adresat reguły ${n + 1}`} data={targets} value={targetOf(rule)} searchable allowDeselect={false}
                    onChange={(v) => {
                      if (!v) return;
                      const [how, who] = v.split(":");
                      edit(n, { target: how === "login" ? { login: who, cell: null } : { cell: who, login: null } });
                    }} />
                </Table.Td>
                <Table.Td><TextInput aria-label={`Opis reguły ${n + 1}`} value={rule.note ?? ""}
                  onChange={(e) => edit(n, { note: e.currentTarget.value || null })} /></Table.Td>
                <Table.Td><Button size="xs" variant="default" aria-label={`Usuń regułę ${n + 1}`}
                  onClick={() => setDraft(rules.filter((_, i) => i !== n))}>Usuń</Button></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Group mt="sm">
          <Button variant="default" onClick={() => setDraft([...rules, { unit, jrwa_prefix: "", target: { cell: "DYR" } }])}>
            Dodaj regułę</Button>
          <Button onClick={save} disabled={!draft}>Zapisz model</Button>
          {draft && <Button variant="default" onClick={() => setDraft(null)}>Odrzuć zmiany</Button>}
        </Group>
        {error && <Alert color="red" role="alert" mt="sm">{error}</Alert>}
      </Paper>
    </Stack>
  );
}

// Reguły klasyfikacji: the unit's own rules (tried before the city's), edited as a draft
// with a live preview — a sample letter's title and sender show which rule would classify
// it, under the draft, before anything is saved.
import { useEffect, useMemo, useState } from "react";
import { Alert, Button, Group, NumberInput, Paper, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { errorMessage } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";

type Rule = Schemas["ClassificationRule"];
const KINDS = [
  { value: "title_words", label: "słowa tytułu" },
  { value: "sender", label: "nadawca" },
  { value: "form_namespace", label: "formularz ePUAP" },
];
const kindLabel = (kind: string) => KINDS.find((k) => k.value === kind)?.label ?? kind;

function RuleRow({ rule, onChange, onRemove }: { rule: Rule; onChange: (r: Rule) => void; onRemove: () => void }) {
  const id = rule.rule_id || "nowa";
  return (
    <Table.Tr>
      <Table.Td><TextInput aria-label={`Identyfikator reguły ${id}`} value={rule.rule_id}
        onChange={(e) => onChange({ ...rule, rule_id: e.currentTarget.value })} /></Table.Td>
      <Table.Td><Select aria-label={`Rodzaj reguły ${id}`} data={KINDS} value={rule.kind} allowDeselect={false}
        onChange={(v) => onChange({ ...rule, kind: (v ?? "title_words") as Rule["kind"] })} /></Table.Td>
      <Table.Td><TextInput aria-label={`Wzorzec reguły ${id}`} value={rule.pattern}
        onChange={(e) => onChange({ ...rule, pattern: e.currentTarget.value })} /></Table.Td>
      <Table.Td><TextInput aria-label={`Klasa JRWA reguły ${id}`} w={90} value={rule.jrwa_symbol}
        onChange={(e) => onChange({ ...rule, jrwa_symbol: e.currentTarget.value })} /></Table.Td>
      <Table.Td><NumberInput aria-label={`Kolejność reguły ${id}`} w={90} value={rule.priority ?? 100}
        onChange={(v) => onChange({ ...rule, priority: Number(v) || 0 })} /></Table.Td>
      <Table.Td><Button variant="default" size="xs" onClick={onRemove} aria-label={`Usuń regułę ${id}`}>Usuń</Button></Table.Td>
    </Table.Tr>
  );
}

export function ClassificationRulesPage() {
  const { unit } = useUser();
  const saved = useLoad(() => api.GET("/units/{unit}/classification-rules", { params: { path: { unit } } }), [unit]);
  const [draft, setDraft] = useState<Rule[] | null>(null);
  const [title, setTitle] = useState("");
  const [sender, setSender] = useState("");
  const [preview, setPreview] = useState<Schemas["RulePreview"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // One array per change (not per render): the preview's effect depends on it.
  const rules = useMemo(() => draft ?? saved.data?.unit_rules ?? [], [draft, saved.data]);

  useEffect(() => {
    if (!title.trim()) {
      setPreview(null);
      return;
    }
    const timer = setTimeout(() => {
      api.POST("/units/{unit}/classification-rules/preview", {
        params: { path: { unit } }, body: { title, sender_names: sender ? [sender] : [], rules },
      }).then(({ data }) => setPreview(data ?? null));
    }, 300);
    return () => clearTimeout(timer);
  }, [unit, title, sender, rules]);

  if (saved.status) return <Refusal status={saved.status} />;
  const edit = (next: Rule[]) => setDraft(next);

  async function save() {
    setError(null);
    const { data, error: failure } = await api.PUT("/units/{unit}/classification-rules", {
      params: { path: { unit } }, body: { rules: rules.map((r) => ({ ...r, owner: unit })) },
    });
    if (!data) {
      setError(errorMessage(failure, "Nie udało się zapisać reguł (sprawdź klasy JRWA i identyfikatory)."));
      return;
    }
    setDraft(null);
    saved.reload();
    notifications.show({ message: "Zapisano reguły klasyfikacji." });
  }

  return (
    <Stack gap="md">
      <Title order={2}>Reguły klasyfikacji</Title>
      <Text size="sm">Reguły jednostki są sprawdzane przed regułami miasta, w kolejności od najmniejszej liczby.
        Pismo, do którego nie pasuje żadna reguła, trafia do sekretariatu do klasyfikacji.</Text>
      <Paper withBorder p="md" component="section" aria-label="Reguły jednostki">
        <Group justify="space-between" mb="xs">
          <Title order={3} size="h4">Reguły jednostki</Title>
          <Text size="sm">{countOf(rules.length, NOUNS.regula)}{draft ? " (niezapisane zmiany)" : ""}</Text>
        </Group>
        <Table aria-label="Reguły jednostki">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Identyfikator</Table.Th>
              <Table.Th scope="col">Rodzaj</Table.Th>
              <Table.Th scope="col">Wzorzec</Table.Th>
              <Table.Th scope="col">Klasa JRWA</Table.Th>
              <Table.Th scope="col">Kolejność</Table.Th>
              <Table.Th scope="col"><span className="visually-hidden">Działania</span></Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rules.map((rule, n) => (
              <RuleRow key={n} rule={rule} onChange={(r) => edit(rules.map((x, i) => (i === n ? r : x)))}
                onRemove={() => edit(rules.filter((_, i) => i !== n))} />
            ))}
          </Table.Tbody>
        </Table>
        <Group mt="sm">
          <Button variant="default" onClick={() => edit([...rules, { rule_id: "", owner: unit, kind: "title_words",
            pattern: "", jrwa_symbol: "", priority: 10 }])}>Dodaj regułę</Button>
          <Button onClick={save} disabled={!draft}>Zapisz reguły</Button>
          {draft && <Button variant="default" onClick={() => setDraft(null)}>Odrzuć zmiany</Button>}
        </Group>
        {error && <Alert color="red" role="alert" mt="sm">{error}</Alert>}
      </Paper>
      <Paper withBorder p="md" component="section" aria-label="Podgląd działania reguł">
        <Title order={3} size="h4" mb="xs">Podgląd: jak zostałoby sklasyfikowane pismo</Title>
        <Group align="flex-end">
          <TextInput label="Tytuł pisma" w={420} value={title} onChange={(e) => setTitle(e.currentTarget.value)} />
          <TextInput label="Nadawca" w={260} value={sender} onChange={(e) => setSender(e.currentTarget.value)} />
        </Group>
        <Text mt="sm" aria-live="polite" data-testid="rule-preview">
          {!title.trim() ? "Wpisz tytuł, aby zobaczyć wynik." : !preview ? "Sprawdzanie…"
            : preview.rule_id ? `Klasa ${preview.jrwa_symbol} według reguły „${preview.rule_id}”${draft ? " (według niezapisanych zmian)" : ""}.`
              : "Żadna reguła nie pasuje: pismo trafi do sekretariatu do klasyfikacji."}
        </Text>
      </Paper>
      <Paper withBorder p="md" component="section" aria-label="Reguły miasta">
        <Title order={3} size="h4" mb="xs">Reguły miasta (wspólne, tylko do odczytu)</Title>
        <Table striped aria-label="Reguły miasta">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Kolejność</Table.Th>
              <Table.Th scope="col">Rodzaj</Table.Th>
              <Table.Th scope="col">Wzorzec</Table.Th>
              <Table.Th scope="col">Klasa JRWA</Table.Th>
              <Table.Th scope="col">Opis</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...(saved.data?.city_rules ?? [])].sort((a, b) => (a.priority ?? 100) - (b.priority ?? 100)).map((r) => (
              <Table.Tr key={r.rule_id}>
                <Table.Td>{r.priority}</Table.Td>
                <Table.Td>{kindLabel(r.kind)}</Table.Td>
                <Table.Td>{r.pattern}</Table.Td>
                <Table.Td>{r.jrwa_symbol}</Table.Td>
                <Table.Td>{r.description ?? "—"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

// The unit's deadlines: open cases past their term, and those due within the next days —
// for the managers, who must see what is late before a complaint about it arrives.
import { useState } from "react";
import { Alert, Badge, Group, Paper, Select, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { day } from "../../i18n/dates";
import { NOUNS, countOf, pluralForm } from "../../i18n/plural";
import { useUser } from "../../nav/user";

type CaseDue = Schemas["CaseDue"];
const DAYS = { one: "dzień", few: "dni", many: "dni", other: "dnia" };

function when(c: CaseDue): string {
  if (c.days_left < 0) return `po terminie ${-c.days_left} ${pluralForm(-c.days_left, DAYS)}`;
  if (c.days_left === 0) return "termin dziś";
  return `zostało ${c.days_left} ${pluralForm(c.days_left, DAYS)}`;
}

function Cases({ title, items }: { title: string; items: CaseDue[] }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">{title}</Title>
        <Text size="sm">{countOf(items.length, NOUNS.sprawa)}</Text>
      </Group>
      {items.length === 0 ? <Text size="sm" c="dimmed">Brak.</Text> : (
        <Table striped aria-label={title}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Znak sprawy</Table.Th>
              <Table.Th scope="col">Tytuł</Table.Th>
              <Table.Th scope="col">Prowadzi</Table.Th>
              <Table.Th scope="col">Termin</Table.Th>
              <Table.Th scope="col">Stan terminu</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((c) => (
              <Table.Tr key={c.ref}>
                <Table.Td style={{ whiteSpace: "nowrap" }}><Link to={`/sprawy/${encodeURIComponent(c.ref)}`}>{c.ref}</Link></Table.Td>
                <Table.Td>{c.title}</Table.Td>
                <Table.Td>{c.officer}</Table.Td>
                <Table.Td>{day(c.deadline)}</Table.Td>
                <Table.Td>
                  <Badge color={c.overdue ? "red.9" : c.days_left <= 3 ? "#a84300" : "gray.7"} variant="filled">{when(c)}</Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

export function OverduePage() {
  const { unit } = useUser();
  const [days, setDays] = useState("7");
  const report = useLoad(() => api.GET("/units/{unit}/overdue", { params: { path: { unit }, query: { days } } }),
    [unit, days]);
  if (report.status) return <Refusal status={report.status} />;
  return (
    <Stack gap="md">
      <Title order={2}>Terminy spraw</Title>
      <Select label="Terminy mijające w ciągu" w={220} value={days} onChange={(v) => setDays(v ?? "7")}
        allowDeselect={false} data={[{ value: "3", label: "3 dni" }, { value: "7", label: "7 dni" },
          { value: "14", label: "14 dni" }, { value: "30", label: "30 dni" }]} />
      {report.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}
      {report.data && (
        <>
          <Cases title="Po terminie" items={report.data.overdue} />
          <Cases title="Termin wkrótce" items={report.data.due_soon} />
        </>
      )}
    </Stack>
  );
}

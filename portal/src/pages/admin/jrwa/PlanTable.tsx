// The classes of one plan version as a searchable table read as a tree: headings indented
// by level, groups in bold, the archival category and whether a class takes cases.
import { useMemo, useState } from "react";
import { Badge, Group, Table, Text, TextInput } from "@mantine/core";
import type { Schemas } from "../../../api/client";
import { visibleClasses } from "../../../components/jrwaTree";
import { NOUNS, countOf } from "../../../i18n/plural";
import { matches } from "../../../i18n/search";

type Entry = Schemas["JrwaEntry"];

function ClassRow({ entry }: { entry: Entry }) {
  return (
    <Table.Tr data-testid={`jrwa-class-${entry.symbol}`}>
      <Table.Td><Text size="sm" fw={entry.is_leaf ? 400 : 700}>{entry.symbol}</Text></Table.Td>
      <Table.Td style={{ paddingLeft: 8 + (entry.symbol.length - 1) * 18 }}>
        <Text size="sm" fw={entry.is_leaf ? 400 : 700}>{entry.heading}</Text>
      </Table.Td>
      <Table.Td>{entry.category
        ? <Badge variant="outline" color="indigo.9" size="sm">{entry.category}</Badge>
        : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
      <Table.Td><Text size="sm">{entry.is_leaf ? "tak" : "nie (grupa)"}</Text></Table.Td>
      <Table.Td><Text size="sm">{entry.notes ?? ""}</Text></Table.Td>
    </Table.Tr>
  );
}

export function PlanTable({ classes }: { classes: Entry[] }) {
  const [search, setSearch] = useState("");
  const sorted = useMemo(() => [...classes].sort((a, b) => a.symbol.localeCompare(b.symbol)), [classes]);
  const shown = visibleClasses(sorted, search);
  const hits = search.trim() ? shown.filter((c) => matches(`${c.symbol} ${c.heading}`, search)).length : null;
  const leaves = classes.filter((c) => c.is_leaf).length;
  return (
    <>
      <Group justify="space-between" align="flex-end" mb="xs">
        <TextInput label="Szukaj w wykazie (symbol lub hasło)" w={380} value={search}
          onChange={(e) => setSearch(e.currentTarget.value)} placeholder="np. 050 albo skargi" />
        <Text size="sm" aria-live="polite" data-testid="jrwa-count">
          {countOf(classes.length, NOUNS.klasa)}, w tym {countOf(leaves, NOUNS.klasaKoncowa)}
          {hits !== null ? ` — pasujących: ${hits}` : ""}
        </Text>
      </Group>
      <Table striped aria-label="Klasy wykazu akt">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Symbol</Table.Th>
            <Table.Th scope="col">Hasło klasyfikacyjne</Table.Th>
            <Table.Th scope="col">Kategoria archiwalna</Table.Th>
            <Table.Th scope="col">Klasa końcowa</Table.Th>
            <Table.Th scope="col">Uwagi</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((c) => <ClassRow key={c.symbol} entry={c} />)}
        </Table.Tbody>
      </Table>
      {shown.length === 0 && <Text size="sm" mt="xs">Żadna klasa nie pasuje do wyszukiwania.</Text>}
    </>
  );
}

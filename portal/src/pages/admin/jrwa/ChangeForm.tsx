// Changes composed on the screen: add a class, change a class's heading, category or
// notes, remove a class. They are collected in a list and previewed together; nothing is
// published from here.
import { useState } from "react";
import { Button, Group, SegmentedControl, Stack, Table, Text, TextInput } from "@mantine/core";
import type { Schemas } from "../../../api/client";
import { NOUNS, countOf } from "../../../i18n/plural";
import type { Change } from "./jrwaApi";

type Entry = Schemas["JrwaEntry"];
type Op = "add" | "update" | "remove";

const OPS: { value: Op; label: string }[] = [
  { value: "add", label: "Dodaj klasę" },
  { value: "update", label: "Zmień klasę" },
  { value: "remove", label: "Usuń klasę" },
];
const OP_NAMES: Record<string, string> = { add: "dodanie", update: "zmiana", set: "ustawienie", remove: "usunięcie" };

const orNull = (text: string) => text.trim() || null;

function describe(change: Change): string {
  if (change.op === "remove") return "—";
  return [change.heading, change.category && `kategoria ${change.category}`, change.notes && `uwagi: ${change.notes}`]
    .filter(Boolean).join("; ") || "bez kategorii";
}

export function ChangeForm({ classes, changes, onChanges, onPreview, busy }: {
  classes: Entry[]; changes: Change[]; onChanges: (c: Change[]) => void; onPreview: () => void; busy: boolean;
}) {
  const [op, setOp] = useState<Op>("add");
  const [symbol, setSymbol] = useState("");
  const [heading, setHeading] = useState("");
  const [category, setCategory] = useState("");
  const [notes, setNotes] = useState("");

  // Changing a class starts from what it is now.
  function prefill(nextOp: Op, value: string) {
    const now = classes.find((c) => c.symbol === value.trim());
    if (nextOp === "update" && now) {
      setHeading(now.heading);
      setCategory(now.category ?? "");
      setNotes(now.notes ?? "");
    }
  }
  function chooseSymbol(value: string) {
    setSymbol(value);
    prefill(op, value);
  }
  function chooseOp(value: Op) {
    setOp(value);
    prefill(value, symbol);
  }

  function add() {
    const s = symbol.trim();
    const change: Change = op === "remove" ? { op, symbol: s }
      : { op, symbol: s, heading: orNull(heading), category: orNull(category), notes: orNull(notes) };
    onChanges([...changes, change]);
    setSymbol("");
    setHeading("");
    setCategory("");
    setNotes("");
  }

  return (
    <Stack gap="sm">
      <SegmentedControl data={OPS} value={op} onChange={(v) => chooseOp(v as Op)} aria-label="Rodzaj zmiany"
        w="fit-content" />
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Symbol klasy" w={120} value={symbol} onChange={(e) => chooseSymbol(e.currentTarget.value)} />
        {op !== "remove" && (
          <>
            <TextInput label="Hasło klasyfikacyjne" w={360} value={heading}
              onChange={(e) => setHeading(e.currentTarget.value)} />
            <TextInput label="Kategoria archiwalna" w={170} value={category} placeholder="A, Bc, B5, BE10…"
              onChange={(e) => setCategory(e.currentTarget.value)} />
            <TextInput label="Uwagi" w={240} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
          </>
        )}
        <Button variant="default" onClick={add} disabled={!symbol.trim()}>Dodaj do listy zmian</Button>
      </Group>
      {op !== "remove" && (
        <Text size="sm" c="dimmed">Grupa (klasa z podklasami) nie ma kategorii; każda klasa końcowa musi ją mieć.</Text>)}
      {changes.length > 0 && (
        <Table aria-label="Zmiany do podglądu">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Nr</Table.Th>
              <Table.Th scope="col">Zmiana</Table.Th>
              <Table.Th scope="col">Klasa</Table.Th>
              <Table.Th scope="col">Nowe wartości</Table.Th>
              <Table.Th scope="col"><span className="visually-hidden">Działania</span></Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {changes.map((c, n) => (
              <Table.Tr key={n}>
                <Table.Td>{n + 1}</Table.Td>
                <Table.Td>{OP_NAMES[c.op] ?? c.op}</Table.Td>
                <Table.Td>{c.symbol}</Table.Td>
                <Table.Td>{describe(c)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" aria-label={`Usuń z listy zmianę ${n + 1}`}
                    onClick={() => onChanges(changes.filter((_, i) => i !== n))}>Usuń z listy</Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group>
        <Button onClick={onPreview} disabled={!changes.length || busy} loading={busy}>
          Pokaż podgląd ({countOf(changes.length, NOUNS.zmiana)})
        </Button>
      </Group>
    </Stack>
  );
}

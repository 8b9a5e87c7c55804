// The unit's file plan (JRWA) as a searchable tree for a form (a required radio group; the
// desk's components/JrwaPicker is the same tree as buttons): every class is shown where it stands,
// but only the leaf classes (which take cases) can be chosen — they are radio buttons;
// the classes above them are headings of the tree.
import { useMemo, useState } from "react";
import { Box, Radio, ScrollArea, Stack, Text, TextInput, VisuallyHidden } from "@mantine/core";
import type { Schemas } from "../../api/client";
import { NOUNS, countOf } from "../../i18n/plural";
import { visibleClasses } from "../../components/jrwaTree";

type JrwaClass = Schemas["JrwaEntry"];

export function JrwaPicker({ classes, value, onChange, error }: {
  classes: JrwaClass[]; value: string | null; onChange: (symbol: string) => void; error?: string | false | null;
}) {
  const [search, setSearch] = useState("");
  const ordered = useMemo(() => [...classes].sort((a, b) => a.symbol.localeCompare(b.symbol)), [classes]);
  const shown = visibleClasses(ordered, search);
  const leaves = shown.filter((c) => c.is_leaf).length;
  const chosen = classes.find((c) => c.symbol === value);
  return (
    <Stack gap="xs">
      <TextInput label="Szukaj w wykazie akt (symbol lub słowo z hasła)" value={search}
        onChange={(e) => setSearch(e.currentTarget.value)} placeholder="np. 150 albo urlopy" type="search" />
      <Text size="xs" c="dimmed" aria-live="polite">
        {search.trim() ? "Znaleziono: " : "Do wyboru: "}{countOf(leaves, NOUNS.klasaKoncowa)}
        {" · "}klasy nadrzędne (pogrubione) porządkują wykaz — nie zakłada się w nich spraw.
      </Text>
      <Radio.Group value={value} onChange={onChange} label="Klasa JRWA sprawy" required error={error}
        description={chosen ? `Wybrano: ${chosen.symbol} ${chosen.heading}` : "Wybierz klasę końcową"}>
        <ScrollArea.Autosize mah={340} type="auto" mt="xs">
          <Box role="presentation" pr="sm" data-testid="jrwa-tree">
            {shown.map((c) => (
              <Box key={c.symbol} pl={(c.symbol.length - 1) * 20} py={3}>
                {c.is_leaf ? (
                  <Radio value={c.symbol} label={`${c.symbol} ${c.heading}`}
                    description={c.category ? `kategoria archiwalna ${c.category}` : undefined} />
                ) : (
                  <Text size="sm" fw={700} c="dark.3" data-testid="jrwa-parent">
                    {c.symbol} {c.heading}
                    <VisuallyHidden> (klasa nadrzędna, nie do wyboru)</VisuallyHidden>
                  </Text>
                )}
              </Box>
            ))}
            {shown.length === 0 && <Text size="sm">Żadna klasa nie pasuje do wyszukiwania.</Text>}
          </Box>
        </ScrollArea.Autosize>
      </Radio.Group>
    </Stack>
  );
}

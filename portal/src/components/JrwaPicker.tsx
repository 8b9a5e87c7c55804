// The unit's file plan (JRWA) as a searchable tree: classes indented by their level,
// only the last-level classes (the ones documents and cases take) can be chosen; what a
// search keeps is jrwaTree's, shared with the case form's picker.
import { useMemo, useState } from "react";
import { Badge, Loader, ScrollArea, Stack, Text, TextInput, UnstyledButton } from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { useLoad } from "../api/useLoad";
import { matches } from "../i18n/search";
import { visibleClasses } from "./jrwaTree";

type JrwaEntry = Schemas["JrwaEntry"];

export function JrwaPicker({ unit, value, onChange }: {
  unit: string; value: string | null; onChange: (symbol: string, entry: JrwaEntry) => void;
}) {
  const plan = useLoad(() => api.GET("/units/{unit}/jrwa", { params: { path: { unit } } }), [unit]);
  const [query, setQuery] = useState("");
  const classes = useMemo(() => [...(plan.data?.classes ?? [])].sort((a, b) => a.symbol.localeCompare(b.symbol)),
    [plan.data]);
  const shown = visibleClasses(classes, query);
  if (plan.loading && !plan.data) return <Loader size="sm" aria-label="Wczytywanie wykazu akt" />;
  if (!plan.data) return <Text c="red" size="sm">Nie udało się wczytać wykazu akt.</Text>;
  return (
    <Stack gap="xs">
      <TextInput label="Szukaj w wykazie akt (symbol lub hasło)" value={query} data-autofocus
        onChange={(e) => setQuery(e.currentTarget.value)} placeholder="np. 424 albo zaświadczenia" />
      <Text size="xs" c="dimmed" aria-live="polite">
        Wykaz akt {plan.data.owner} w wersji {plan.data.version}
        {query ? ` — pasujących klas: ${shown.filter((c) => matches(`${c.symbol} ${c.heading}`, query)).length}` : ""}
      </Text>
      <ScrollArea h={320} type="auto">
        <ul aria-label="Klasy wykazu akt" style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {shown.map((c) => {
            const chosen = value === c.symbol;
            const indent = (c.symbol.length - 1) * 16;
            return (
              <li key={c.symbol}>
                {c.is_leaf ? (
                  <UnstyledButton onClick={() => onChange(c.symbol, c)} px="xs" py={4} w="100%" aria-pressed={chosen}
                    style={{ paddingLeft: indent + 8, borderRadius: 4,
                      background: chosen ? "var(--mantine-color-indigo-1)" : undefined }}>
                    <Text size="sm"><strong>{c.symbol}</strong> {c.heading}
                      {c.category ? <Badge ml="xs" size="xs" variant="outline" color="indigo.9">{c.category}</Badge> : null}</Text>
                  </UnstyledButton>
                ) : (
                  <Text size="sm" c="dimmed" px="xs" py={4} style={{ paddingLeft: indent + 8 }}>
                    {c.symbol} {c.heading}
                  </Text>
                )}
              </li>
            );
          })}
        </ul>
      </ScrollArea>
    </Stack>
  );
}

// A CSV file (the columns of the export: symbol,heading,category,notes) that would replace
// the whole plan: chosen here, previewed like any change, published only from the preview.
import { useState } from "react";
import { Button, FileInput, Group, Stack, Text } from "@mantine/core";

export function ImportForm({ onPreview, onFile, busy }: {
  onPreview: (file: File) => void; onFile: () => void; busy: boolean;
}) {
  const [file, setFile] = useState<File | null>(null);
  const choose = (next: File | null) => {
    setFile(next);
    onFile(); // a preview of another file would mislead
  };
  return (
    <Stack gap="sm">
      <Text size="sm">Plik CSV zastępuje cały wykaz. Kolumny jak w eksporcie: <code>symbol,heading,category,notes</code>{" "}
        (kodowanie UTF-8, pierwszy wiersz to nagłówek). Najprościej wyeksportować obowiązujący wykaz, poprawić go
        i zaimportować.</Text>
      <Group align="flex-end">
        <FileInput label="Plik CSV z wykazem" w={360} accept=".csv,text/csv" value={file} onChange={choose}
          placeholder="Wybierz plik" clearable
          clearButtonProps={{ "aria-label": "Usuń wybrany plik" }} />
        <Button onClick={() => file && onPreview(file)} disabled={!file || busy} loading={busy}>
          Pokaż podgląd importu
        </Button>
      </Group>
    </Stack>
  );
}

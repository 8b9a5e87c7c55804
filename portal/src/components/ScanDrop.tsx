// Where the clerk drops a scan (or picks it with the keyboard: the zone is a button that
// opens the file dialog), with the upload's progress.
import { useId, useRef, useState, type DragEvent } from "react";
import { Group, Paper, Progress, Stack, Text, UnstyledButton } from "@mantine/core";

// The words and the files it takes, for a scan (the default) or another file.
export interface DropWords { prompt: string; chosen: string; help: string; accept: string; inputLabel: string }
const SCAN: DropWords = {
  prompt: "Upuść tu skan pisma albo kliknij, aby wybrać plik", chosen: "Skan", inputLabel: "Plik skanu",
  help: "PDF, TIFF, JPEG lub PNG; jeden plik na pismo.", accept: ".pdf,.tif,.tiff,.jpg,.jpeg,.png,application/pdf,image/*",
};

export function ScanDrop({ onFile, progress, fileName, error, words = SCAN }: {
  onFile: (file: File) => void; progress: number | null; fileName: string | null; error: string | null;
  words?: DropWords;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const helpId = useId();

  function drop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  }

  return (
    <Stack gap={6}>
      <UnstyledButton onClick={() => input.current?.click()} onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)} onDrop={drop} aria-describedby={helpId} data-testid="scan-drop">
        <Paper withBorder p="lg" style={{ borderStyle: "dashed", borderWidth: 2,
          background: over ? "var(--mantine-color-indigo-0)" : undefined, textAlign: "center" }}>
          <Text fw={600}>{fileName ? `${words.chosen}: ${fileName}` : words.prompt}</Text>
          <Text size="sm" c="dimmed" id={helpId}>{words.help}</Text>
        </Paper>
      </UnstyledButton>
      <input ref={input} type="file" hidden accept={words.accept}
        aria-label={words.inputLabel} data-testid="scan-input"
        onChange={(e) => { const file = e.currentTarget.files?.[0]; if (file) onFile(file); e.currentTarget.value = ""; }} />
      {progress !== null && (
        <Group gap="sm" wrap="nowrap">
          <Progress value={progress * 100} style={{ flex: 1 }} aria-label="Postęp przesyłania" />
          <Text size="sm" w={140} aria-live="polite" data-testid="upload-progress">
            {progress >= 1 ? "przesłano" : `przesyłanie ${Math.round(progress * 100)}%`}
          </Text>
        </Group>
      )}
      {error && <Text c="red.8" size="sm" role="alert">{error}</Text>}
    </Stack>
  );
}

// Rejestracja pisma papierowego: the clerk drops the scan (it goes straight to S3, with
// progress), types the metadata the register requires (checked per field, in Polish), and
// registers it through the intake workflow. The same scan twice is caught: with the same
// data it is the earlier item; with other data the clerk is warned and may still register
// it, saying why.
import { useState, type FormEvent } from "react";
import { Alert, Button, Group, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, TextInput, Textarea, Title } from "@mantine/core";
import { serverNow } from "../../api/serverClock";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { DayInput } from "../../components/DayInput";
import { ScanDrop } from "../../components/ScanDrop";
import { CHANNELS, errorMessage } from "../../i18n/labels";
import { useUser } from "../../nav/user";
import { emptyForm, problemsOf, registration, type PaperForm } from "./paperForm";
import { UploadFailed, openUpload, sendToStorage } from "./upload";

type Answer = Schemas["PaperLetterAnswer"];
type TextField = Exclude<keyof PaperForm, "received_edited">;
const PAPER_CHANNELS = ["post", "courier", "in_person", "email"].map((value) => ({ value, label: CHANNELS[value] }));
const ACCESS = ["niepubliczny", "publiczny – dostępny w całości", "publiczny – dostępny częściowo"];

function Outcome({ answer }: { answer: Answer }) {
  const link = answer.document_id
    ? <Link to={`/dokumenty/${answer.document_id}`}>{answer.registry_number}</Link> : answer.registry_number;
  if (answer.status === "registered") {
    return <Alert color="green" title="Zarejestrowano" role="status">Pismo ma numer {link}.</Alert>;
  }
  if (answer.status === "duplicate") {
    return <Alert color="blue" title="To pismo jest już w rejestrze" role="status">
      Ten sam skan z tymi samymi danymi zarejestrowano wcześniej jako {link}; nie zarejestrowano go drugi raz.</Alert>;
  }
  if (answer.status === "processing") {
    return <Alert color="blue" title="Rejestracja trwa" role="status">Numer pojawi się w rejestrze za chwilę.</Alert>;
  }
  return <Alert color="red" title="Pisma nie zarejestrowano" role="alert">
    {errorMessage(answer, answer.error_message ?? "Nie udało się zarejestrować pisma.")}</Alert>;
}

export function PaperLetterPage() {
  const { unit } = useUser();
  const [form, setForm] = useState<PaperForm>(() => emptyForm(serverNow()));
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [conflict, setConflict] = useState<Answer | null>(null);
  const [reason, setReason] = useState("");
  const [failure, setFailure] = useState<string | null>(null);

  const problems = problemsOf(form, uploadId !== null && progress === 1, serverNow());
  const shown = (name: keyof typeof problems) => (touched ? problems[name] : undefined);
  const set = (name: TextField) => (value: string) => setForm((f) => ({
    ...f, [name]: value, received_edited: f.received_edited || name === "received_day" || name === "received_time",
  }));
  const text = (name: TextField) => ({
    value: form[name], error: shown(name), onChange: (e: { currentTarget: { value: string } }) => set(name)(e.currentTarget.value),
  });

  async function upload(file: File) {
    setUploadError(null);
    setAnswer(null);
    setConflict(null);
    setUploadId(null);
    setFileName(file.name);
    setProgress(0);
    try {
      const ticket = await openUpload(unit, file);
      await sendToStorage(ticket, file, setProgress);
      setProgress(1);
      setUploadId(ticket.upload_id);
    } catch (error) {
      setProgress(null);
      setUploadError(error instanceof UploadFailed ? error.message : "Nie udało się przesłać pliku.");
    }
  }

  async function register(event?: FormEvent, duplicateReason: string | null = null) {
    event?.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0 || !uploadId) return;
    setBusy(true);
    setFailure(null);
    const { data, error, response } = await api.POST("/units/{unit}/paper-letters", {
      params: { path: { unit }, query: { wait: "20" } }, body: registration(form, uploadId, duplicateReason),
    }).finally(() => setBusy(false));
    const result = (data ?? error) as Answer | { error_code?: string } | undefined;
    if (result && "intake_id" in result) {
      if (result.status === "conflict") {
        setConflict(result);
        return;
      }
      setConflict(null);
      setAnswer(result);
      if (result.status === "registered" || result.status === "duplicate") {
        setForm(emptyForm(serverNow()));
        setUploadId(null);
        setFileName(null);
        setProgress(null);
        setTouched(false);
        setReason("");
      }
      return;
    }
    setFailure(errorMessage(result as { error_code?: string }, `Nie udało się zarejestrować pisma (HTTP ${response.status}).`));
  }

  return (
    <Stack gap="md">
      <Title order={2}>Rejestracja pisma papierowego</Title>
      {answer && <Outcome answer={answer} />}
      <form onSubmit={register} noValidate aria-label="Pismo papierowe">
        <Stack gap="md">
          <Paper withBorder p="md" component="fieldset" style={{ border: undefined }}>
            <Title order={3} size="h4" mb="sm" component="legend">Skan</Title>
            <ScanDrop onFile={upload} progress={progress} fileName={fileName} error={uploadError ?? shown("scan") ?? null} />
          </Paper>
          <Paper withBorder p="md">
            <Title order={3} size="h4" mb="sm">Wpływ</Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select label="Sposób doręczenia" data={PAPER_CHANNELS} value={form.channel} allowDeselect={false}
                onChange={(v) => set("channel")(v ?? "post")} />
              <DayInput label="Data wpływu" value={form.received_day} onChange={set("received_day")} error={shown("received_day")} />
              <TextInput label="Godzina wpływu" placeholder="GG:MM" {...text("received_time")} />
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md">
            <Title order={3} size="h4" mb="sm">Nadawca</Title>
            <SegmentedControl mb="sm" value={form.sender_kind} aria-label="Rodzaj nadawcy"
              onChange={(v) => set("sender_kind")(v)} data={[{ value: "person", label: "osoba" },
                { value: "institution", label: "instytucja" }]} />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              {form.sender_kind === "person" ? (
                <>
                  <TextInput label="Imiona" {...text("first_names")} />
                  <TextInput label="Nazwisko" required {...text("surname")} />
                </>
              ) : <TextInput label="Nazwa instytucji" required {...text("institution")} />}
              <TextInput label="Ulica i numer" {...text("street")} />
              <TextInput label="Kod pocztowy" placeholder="00-000" {...text("postal_code")} />
              <TextInput label="Miejscowość" required {...text("town")} />
              <TextInput label="Kraj" required {...text("country")} />
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md">
            <Title order={3} size="h4" mb="sm">Pismo</Title>
            <Stack gap="sm">
              <TextInput label="Dotyczy (tytuł)" required maxLength={1000} {...text("title")} />
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <DayInput label="Data pisma" value={form.letter_date} onChange={set("letter_date")} error={shown("letter_date")} />
                <TextInput label="Znak pisma nadawcy" maxLength={200} {...text("sender_reference")} />
                <TextInput label="Rodzaj pisma" placeholder="np. wniosek, skarga" maxLength={100} {...text("kind")} />
                <Select label="Dostęp" data={ACCESS} value={form.access} allowDeselect={false}
                  onChange={(v) => set("access")(v ?? "niepubliczny")} />
                <NumberInput label="Liczba załączników (papierowych)" min={0} max={10000} allowDecimal={false}
                  value={form.attachments_count} error={shown("attachments_count")}
                  onChange={(v) => set("attachments_count")(String(v ?? ""))} />
              </SimpleGrid>
              <Textarea label="Uwagi" maxLength={2000} autosize minRows={2} {...text("remarks")} />
            </Stack>
          </Paper>
          {conflict && (
            <Alert color="orange" title="Ten skan jest już w rejestrze" role="alert">
              <Stack gap="xs">
                <span>Ten sam plik zarejestrowano wcześniej jako {conflict.registry_number ?? "inne pismo"}, z innymi danymi.
                  Jeśli to rzeczywiście osobne pismo, podaj powód i zarejestruj je mimo to.</span>
                <Textarea label="Powód ponownej rejestracji" value={reason} onChange={(e) => setReason(e.currentTarget.value)}
                  maxLength={2000} />
                <Group>
                  <Button color="orange.9" disabled={!reason.trim()} loading={busy}
                    onClick={() => register(undefined, reason.trim())}>Zarejestruj mimo to</Button>
                </Group>
              </Stack>
            </Alert>
          )}
          {failure && <Alert color="red" role="alert">{failure}</Alert>}
          {touched && Object.keys(problems).length > 0 && (
            <Alert color="red" role="alert">Popraw zaznaczone pola ({Object.keys(problems).length}).</Alert>)}
          <Group>
            <Button type="submit" loading={busy} disabled={progress !== null && progress < 1}>Zarejestruj</Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

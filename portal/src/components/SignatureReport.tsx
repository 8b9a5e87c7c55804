// A signature's verification in plain words: the verdict, the certificate, and each
// signature's signer, integrity and certificate (incoming letters and outgoing documents).
import { Badge, Group, Paper, Stack, Text } from "@mantine/core";
import type { Schemas } from "../api/client";
import { dateTime } from "../i18n/dates";
import { CERTIFICATES, SIGNATURES, label } from "../i18n/labels";

export function SignatureReport({ report }: { report: Schemas["SignatureReport"] }) {
  // Dark shades under white text: WCAG AA contrast.
  const color = report.signature === "valid" && report.certificate === "trusted" ? "#1e6b30"
    : report.signature === "absent" ? "gray.7" : "red.9";
  return (
    <Stack gap="xs">
      <Group gap="sm">
        <Badge color={color} variant="filled" size="lg">Podpis: {label(SIGNATURES, report.signature)}</Badge>
        <Text size="sm">Certyfikat: {label(CERTIFICATES, report.certificate)}</Text>
      </Group>
      <Text size="xs" c="dimmed">Sprawdzono {dateTime(report.checked_at)}</Text>
      {(report.signatures ?? []).map((s, i) => (
        <Paper key={i} withBorder p="sm">
          <Text size="sm" fw={600}>{s.signer_common_name ?? s.signer_subject ?? "podpisujący nieznany"}</Text>
          <Text size="sm">{s.valid ? "Podpis nienaruszony: dokument nie zmienił się od podpisania."
            : `Podpis naruszony lub nieczytelny${s.error ? `: ${s.error}` : "."}`}</Text>
          <Text size="sm">Certyfikat: {label(CERTIFICATES, s.certificate)}{s.trust_reason ? ` — ${s.trust_reason}` : ""}</Text>
          {s.issuer && <Text size="xs" c="dimmed">Wystawca: {s.issuer}</Text>}
          {s.not_before && s.not_after && (
            <Text size="xs" c="dimmed">Ważny od {dateTime(s.not_before)} do {dateTime(s.not_after)}</Text>)}
          {s.signing_time && <Text size="xs" c="dimmed">Czas podpisu deklarowany przez podpisującego: {dateTime(s.signing_time)}</Text>}
        </Paper>
      ))}
    </Stack>
  );
}

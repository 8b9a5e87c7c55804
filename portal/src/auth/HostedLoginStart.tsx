// The start screen with Cognito's hosted login: one button that goes there.
import { useState } from "react";
import { Alert, Button, Stack, Text } from "@mantine/core";
import { startLogin } from "./cognito";
import type { HostedLogin } from "./loginConfig";

export function HostedLoginStart({ config, problem }: { config: HostedLogin; problem: string | null }) {
  const [busy, setBusy] = useState(false);
  return (
    <Stack gap="sm">
      {problem && (
        <Alert color="red" role="alert" title="Logowanie nieudane">
          {problem}
        </Alert>
      )}
      <Text size="sm">Login i hasło podasz na stronie logowania miasta; potem wrócisz tutaj.</Text>
      <Button loading={busy} onClick={() => {
        setBusy(true);
        startLogin(config).catch(() => setBusy(false));
      }}>Zaloguj</Button>
    </Stack>
  );
}

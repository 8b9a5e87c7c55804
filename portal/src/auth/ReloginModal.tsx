// A session that expired: the login over the page, which keeps what it holds (the
// request that was refused is sent again once logged in). Locally the login form; with
// Cognito's hosted login (when even the refresh token no longer works) the hosted login
// in a window of its own, so this page is never unloaded.
import { useState } from "react";
import { Alert, Button, Modal, Stack, Text } from "@mantine/core";
import { LoginForm } from "./LoginForm";
import { loginInWindow } from "./cognito";
import { logOut } from "./logout";
import { hostedLogin } from "./loginConfig";

function HostedRelogin() {
  const [problem, setProblem] = useState<string | null>(null);
  const config = hostedLogin()!;
  return (
    <Stack gap="sm">
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Button onClick={() => {
        setProblem(null);
        loginInWindow(config).then((ok) => {
          if (!ok) setProblem("Nie udało się otworzyć okna logowania albo zalogować. Zezwól na okno logowania i spróbuj ponownie.");
        });
      }}>Zaloguj ponownie</Button>
    </Stack>
  );
}

export function ReloginModal({ opened, login }: { opened: boolean; login: string }) {
  return (
    <Modal opened={opened} onClose={() => undefined} withCloseButton={false} closeOnEscape={false}
      closeOnClickOutside={false} title="Sesja wygasła — zaloguj się ponownie" centered>
      <Stack gap="sm">
        <Text size="sm">To, co jest na stronie, zostanie zachowane.</Text>
        {hostedLogin() ? <HostedRelogin /> : <LoginForm initialLogin={login} />}
        <Button variant="subtle" onClick={logOut}>Wyloguj</Button>
      </Stack>
    </Modal>
  );
}

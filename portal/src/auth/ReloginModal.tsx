// A session that expired: the login form over the page, which keeps what it holds (the
// request that was refused is sent again once logged in).
import { Button, Modal, Stack, Text } from "@mantine/core";
import { LoginForm } from "./LoginForm";
import * as session from "./session";

export function ReloginModal({ opened, login }: { opened: boolean; login: string }) {
  return (
    <Modal opened={opened} onClose={() => undefined} withCloseButton={false} closeOnEscape={false}
      closeOnClickOutside={false} title="Sesja wygasła — zaloguj się ponownie" centered>
      <Stack gap="sm">
        <Text size="sm">To, co jest na stronie, zostanie zachowane.</Text>
        <LoginForm initialLogin={login} />
        <Button variant="subtle" onClick={session.logOut}>Wyloguj</Button>
      </Stack>
    </Modal>
  );
}

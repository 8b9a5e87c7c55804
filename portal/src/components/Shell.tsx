// The frame of every page: who is logged in (name, unit, role) and the way out.
import type { ReactNode } from "react";
import { AppShell, Button, Group, Text, Title } from "@mantine/core";
import type { Principal } from "../api/client";
import { roleNames } from "../i18n/labels";

export function Shell({ user, onLogOut, children }: { user: Principal; onLogOut: () => void; children: ReactNode }) {
  return (
    <AppShell header={{ height: 64 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Title order={1} size="h4">EZD</Title>
          <Group gap="lg" wrap="nowrap" aria-label="Zalogowany użytkownik">
            <div>
              <Text size="sm" fw={600} data-testid="user-name">{user.full_name}</Text>
              <Text size="xs" c="dimmed">
                Jednostka: <span data-testid="user-unit">{user.unit}</span>
                {" · "}Rola: <span data-testid="user-role">{roleNames(user.roles)}</span>
              </Text>
            </div>
            <Button variant="default" onClick={onLogOut}>Wyloguj</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}

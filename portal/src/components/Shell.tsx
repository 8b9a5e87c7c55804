// The frame of every page: who is logged in (name, unit, role), the menu of the pages
// their roles open, and the way out. A skip link lets keyboard users jump to the content.
import type { ReactNode } from "react";
import { AppShell, Burger, Button, Group, NavLink, Text, Title, VisuallyHidden } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { NavLink as RouterLink } from "react-router";
import type { Principal } from "../api/client";
import { roleNames } from "../i18n/labels";
import { PAGES } from "../nav/pages";
import { mayOpen } from "../nav/user";

export function Shell({ user, onLogOut, children }: { user: Principal; onLogOut: () => void; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const menu = PAGES.filter((page) => page.label && !page.path.includes(":") && mayOpen(user, page));
  return (
    <AppShell header={{ height: 64 }} navbar={{ width: 260, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md">
      <a href="#tresc" className="skip-link" onClick={(e) => {
        e.preventDefault();
        document.getElementById("tresc")?.focus();
      }}>Przejdź do treści</a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={1} size="h4">EZD</Title>
          </Group>
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
      <AppShell.Navbar p="xs" aria-label="Menu główne">
        <VisuallyHidden><h2>Menu</h2></VisuallyHidden>
        {menu.map((page) => (
          <NavLink key={page.path} component={RouterLink} to={`/${page.path}`} label={page.label} onClick={close}
            variant="filled" />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="tresc" tabIndex={-1} style={{ outline: "none" }}>{children}</AppShell.Main>
    </AppShell>
  );
}

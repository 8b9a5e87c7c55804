// What a page shows instead of data the caller may not see: the API said 403 (or the
// page is not for the caller's role), or the item does not exist for them (404).
import { Alert } from "@mantine/core";

export function NoAccess({ what }: { what?: string }) {
  return (
    <Alert color="gray" title="Brak dostępu" role="alert" data-testid="no-access">
      {what ?? "Ta strona nie jest dostępna dla Twojej roli w tej jednostce."}
    </Alert>
  );
}

export function NotFound({ what }: { what?: string }) {
  return (
    <Alert color="gray" title="Nie znaleziono" role="alert" data-testid="not-found">
      {what ?? "Nie ma tu takiej strony. Wybierz pozycję z menu."}
    </Alert>
  );
}

/** The page for an API refusal: 403 → brak dostępu, 404 → nie znaleziono. */
export function Refusal({ status, what }: { status: number; what?: string }) {
  if (status === 403) return <NoAccess what={what} />;
  return <NotFound what={what} />;
}

import { useSyncExternalStore } from "react";
import * as session from "./session";

/** The token and whether the API asks for a new login, as React state. */
export function useSession(): { token: string | null; loginRequired: boolean } {
  const token = useSyncExternalStore(session.subscribe, session.token);
  const loginRequired = useSyncExternalStore(session.subscribe, session.loginRequired);
  return { token, loginRequired };
}

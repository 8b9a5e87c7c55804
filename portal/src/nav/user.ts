// The logged-in user, for every page under the router (App loads it from GET /me).
import { createContext, useContext } from "react";
import type { Principal } from "../api/client";

export const UserContext = createContext<Principal | null>(null);

export function useUser(): Principal {
  const user = useContext(UserContext);
  if (!user) throw new Error("useUser outside a logged-in page");
  return user;
}

export type Role = Principal["roles"][number];

export function hasRole(user: Principal, roles: readonly Role[]): boolean {
  return roles.length === 0 || user.roles.some((role) => roles.includes(role));
}

/** Whether the user may open the page: by role, or by the page's own rule. */
export function mayOpen(user: Principal, page: { roles: readonly Role[]; also?: (user: Principal) => boolean }): boolean {
  return hasRole(user, page.roles) || Boolean(page.also?.(user));
}

// How this stage logs in, learnt at run time from GET /auth/config (one build of the
// portal serves every stage): the local form, or Cognito's hosted login.
import type { components } from "../api/schema";

export type LoginConfig = components["schemas"]["LoginConfig"];
export type HostedLogin = LoginConfig & { login: "cognito"; domain: string; client_id: string; redirect_uri: string };

let current: LoginConfig | null = null;

/** Read once, before anything else is shown (plain fetch: the route is public). */
export async function loadLoginConfig(): Promise<LoginConfig> {
  const answer = await fetch("/auth/config", { headers: { Accept: "application/json" } });
  if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  current = (await answer.json()) as LoginConfig;
  return current;
}

export function loginConfig(): LoginConfig {
  return current ?? { login: "local" };
}

/** The hosted login's settings, or null where the portal logs in with the local form. */
export function hostedLogin(): HostedLogin | null {
  const c = current;
  return c && c.login === "cognito" && c.domain && c.client_id && c.redirect_uri ? (c as HostedLogin) : null;
}

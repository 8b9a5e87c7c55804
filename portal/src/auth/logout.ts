// Logging out: the tokens go; with Cognito's hosted login its session ends too.
import { hostedLogout } from "./cognito";
import { hostedLogin } from "./loginConfig";
import * as session from "./session";

export function logOut(): void {
  session.logOut();
  const config = hostedLogin();
  if (config) hostedLogout(config);
}

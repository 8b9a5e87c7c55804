// How the JRWA screen names plans, versions and their origin.
import type { Schemas } from "../../../api/client";

export const CITY = "CITY";

/** "wykaz miasta" or "wykaz jednostki P5" */
export function ownerName(owner: string): string {
  return owner === CITY ? "wykaz miasta" : `wykaz jednostki ${owner}`;
}

export const SOURCES: Record<Schemas["JrwaVersionInfo"]["source"] & string, string> = {
  change: "zmiana w portalu",
  import: "import pliku CSV",
  seed: "wykaz początkowy",
  inherited: "odziedziczony z wykazu miasta",
};

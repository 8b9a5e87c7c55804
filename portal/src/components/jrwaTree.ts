// What both JRWA pickers (the desk's buttons, the case form's radio group) show for a
// search: the matching classes with every class above them, and under a matching upper
// class all of its own, so the tree still reads as a tree.
import type { Schemas } from "../api/client";
import { matches } from "../i18n/search";

type JrwaClass = Schemas["JrwaEntry"];

/** The classes to show for a search: matching leaves with every class above them. */
export function visibleClasses(classes: JrwaClass[], search: string): JrwaClass[] {
  if (!search.trim()) return classes;
  const shown = new Set<string>();
  for (const c of classes) {
    if (!matches(`${c.symbol} ${c.heading}`, search)) continue;
    for (let i = 1; i <= c.symbol.length; i += 1) shown.add(c.symbol.slice(0, i));
    if (!c.is_leaf) classes.filter((d) => d.symbol.startsWith(c.symbol)).forEach((d) => shown.add(d.symbol));
  }
  return classes.filter((c) => shown.has(c.symbol));
}

// The addresses of the case officer's pages (case references go into them encoded).

export function caseAddress(ref: string): string {
  return `/sprawy/${encodeURIComponent(ref)}`;
}

export function metrykaAddress(ref: string): string {
  return `/sprawy/${encodeURIComponent(ref)}/metryka`;
}

export function spisAddress(cell: string, jrwa: string, year: number | string): string {
  const query = new URLSearchParams({ komorka: cell, jrwa, rok: String(year) });
  return `/spis-spraw?${query.toString()}`;
}

export function newCaseAddress(documentId: string): string {
  return `/sprawy/nowa?dokument=${encodeURIComponent(documentId)}`;
}

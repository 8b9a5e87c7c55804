// Search as Polish users expect it: case and diacritics do not matter ("zolw" finds
// "Żółw"; ł is not a composed letter in Unicode, so it is mapped by hand).
export function folded(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/ł/g, "l").replace(/Ł/g, "L").toLowerCase();
}

export function matches(haystack: string, query: string): boolean {
  const words = folded(query).split(/\s+/).filter(Boolean);
  const text = folded(haystack);
  return words.every((word) => text.includes(word));
}

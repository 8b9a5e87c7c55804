// The JRWA screen's calls that change or would change the plan: a proposal (changes made
// on the screen, or a CSV file) is previewed, then published against the version the
// preview was made from (expected_version), so a publication in between is a conflict.
import { api, type Schemas } from "../../../api/client";

export type Change = Schemas["JrwaChange"];
export type Preview = Schemas["JrwaPreview"];
export type Proposal = { kind: "changes"; changes: Change[] } | { kind: "csv"; file: File };

// A CSV goes as the file's own bytes: decoded by the browser, a file that is not UTF-8
// would arrive "repaired", and the API could not say so.
const csvBody = (file: File) => ({
  body: "", bodySerializer: () => file, headers: { "Content-Type": "text/csv" },
});

export function preview(unit: string, proposal: Proposal) {
  const path = { unit };
  if (proposal.kind === "changes") {
    return api.POST("/units/{unit}/jrwa/preview", { params: { path }, body: { changes: proposal.changes } });
  }
  return api.POST("/units/{unit}/jrwa/preview", { params: { path }, ...csvBody(proposal.file) });
}

export function publish(unit: string, proposal: Proposal, note: string, expected: number) {
  const path = { unit };
  if (proposal.kind === "changes") {
    // POST …/jrwa/changes reads its body field by field, so the document shows it only as
    // an object; it takes what the preview takes.
    const body: Schemas["JrwaChangesBody"] = { changes: proposal.changes, note: note || null, expected_version: expected };
    return api.POST("/units/{unit}/jrwa/changes", { params: { path }, body: body as unknown as Record<string, never> });
  }
  const query = { expected_version: String(expected), ...(note ? { note } : {}) };
  return api.PUT("/units/{unit}/jrwa", { params: { path, query }, ...csvBody(proposal.file) });
}

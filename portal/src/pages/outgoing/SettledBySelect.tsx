// When a case is closed: the letter sent in it that settled it (an item of the outgoing
// register), chosen from what the case's outgoing documents went out as.
import { Select } from "@mantine/core";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";

export function SettledBySelect({ unit, caseRef, value, onChange }: {
  unit: string; caseRef: string; value: string | null; onChange: (value: string | null) => void;
}) {
  const list = useLoad(() => api.GET("/units/{unit}/cases/{ref}/outgoing", { params: { path: { unit, ref: caseRef } } }),
    [unit, caseRef]);
  const options = (list.data?.items ?? []).flatMap((v) => (v.items ?? []).map((i) => ({
    value: i.registry_number, label: `${i.registry_number}: ${v.document.title} — ${i.addressee_name}` })));
  if (options.length === 0) return null;
  return (
    <Select label="Załatwiona pismem" description="Pismo wysłane w tej sprawie, którym ją załatwiono"
      placeholder="bez wskazania pisma" data={options} value={value} onChange={onChange} clearable />
  );
}

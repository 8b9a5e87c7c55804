// Sending a scan: the API hands out a pre-signed S3 form (POST /uploads), and the bytes go
// from the browser straight to S3 with it — through XMLHttpRequest, the one browser API
// that reports upload progress. S3 itself enforces the size and the key.
import { api, type Schemas } from "../../api/client";
import { errorMessage } from "../../i18n/labels";

type Ticket = Schemas["UploadTicket"];

export class UploadFailed extends Error {}

/** A scan for the register ("paper"), or the file of an outgoing draft ("draft"). */
export async function openUpload(unit: string, file: File, purpose: "paper" | "draft" = "paper"): Promise<Ticket> {
  const { data, error } = await api.POST("/units/{unit}/uploads", {
    params: { path: { unit } }, body: { filename: file.name, size: file.size, purpose },
  });
  if (!data) throw new UploadFailed(errorMessage(error, "Nie udało się rozpocząć przesyłania pliku."));
  return data;
}

export function sendToStorage(ticket: Ticket, file: File, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    Object.entries(ticket.fields).forEach(([name, value]) => form.append(name, value));
    form.append("file", file); // last: S3 ignores fields after the file
    const request = new XMLHttpRequest();
    request.open(ticket.method ?? "POST", ticket.url);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => (request.status >= 200 && request.status < 300 ? resolve()
      : reject(new UploadFailed(request.status === 400 && /EntityTooLarge/.test(request.responseText)
        ? "Plik jest za duży." : `Magazyn plików odrzucił plik (HTTP ${request.status}).`)));
    request.onerror = () => reject(new UploadFailed("Brak połączenia z magazynem plików."));
    request.send(form);
  });
}

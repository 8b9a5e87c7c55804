// A draft's file on its way to storage: the pre-signed upload of the registry desk with
// purpose "draft", its progress, and the upload id the API then takes the file by.
import { useState } from "react";
import { UploadFailed, openUpload, sendToStorage } from "../desk/upload";
import type { DropWords } from "../../components/ScanDrop";

export const DRAFT_FILE: DropWords = {
  prompt: "Upuść tu plik pisma albo kliknij, aby wybrać plik", chosen: "Plik", inputLabel: "Plik pisma",
  help: "PDF, DOCX, ODT lub XML; jeden plik na wersję.",
  accept: ".pdf,.docx,.odt,.xml,.txt,application/pdf,application/xml,text/xml",
};

export function useDraftUpload(unit: string) {
  const [progress, setProgress] = useState<number | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function upload(file: File) {
    setError(null);
    setUploadId(null);
    setFileName(file.name);
    setProgress(0);
    try {
      const ticket = await openUpload(unit, file, "draft");
      await sendToStorage(ticket, file, setProgress);
      setProgress(1);
      setUploadId(ticket.upload_id);
    } catch (failure) {
      setProgress(null);
      setError(failure instanceof UploadFailed ? failure.message : "Nie udało się przesłać pliku.");
    }
  }

  function reset() {
    setProgress(null);
    setFileName(null);
    setUploadId(null);
    setError(null);
  }

  return { upload, reset, progress, fileName, uploadId, error };
}

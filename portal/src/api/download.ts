// A file the API makes (CSV exports): fetched with the session's token and handed to the
// browser as a blob, so the token never goes into a link.
import * as session from "../auth/session";
import { renew } from "../auth/cognito";

export async function downloadFromApi(path: string, filename: string): Promise<void> {
  const get = () => fetch(path, { headers: { Authorization: `Bearer ${session.token()}` } });
  let answer = await get();
  // An ID token of the hosted login that just expired: renewed silently, as for the API client.
  if (answer.status === 401 && (await renew())) answer = await get();
  if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  const url = URL.createObjectURL(await answer.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

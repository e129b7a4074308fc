// Downloads from the panel: a Blob URL and an <a download>, which works in a
// DevTools panel and in a tab without the downloads permission. What is
// downloaded is built by core (src/core/exportFile.ts, buildExport).

/** How long the Blob URL outlives the click: the download has started by then. */
const REVOKE_AFTER_MS = 60_000;

export function download(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

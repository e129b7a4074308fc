// Downloads from the panel: a Blob URL and an <a download>, which works in a
// DevTools panel and in a tab without the downloads permission.
import type { Session } from '../core/model';
import { toHar } from '../core/har';

export function download(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function harFileName(session: Session, now = new Date()): string {
  let host = 'session';
  try {
    if (session.pageUrl) host = new URL(session.pageUrl).host.replace(/[^a-z0-9.-]/gi, '_') || host;
  } catch {
    /* keep the default */
  }
  const stamp = now.toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
  return `socketscope-${host}-${stamp}.har`;
}

export function exportHar(session: Session): void {
  const har = toHar(session, { creator: { name: 'SocketScope', version: __VERSION__ } });
  download(harFileName(session), JSON.stringify(har, null, 1), 'application/json');
}

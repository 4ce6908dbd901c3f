// Save a data URL or text as a file (browser download; Electron shows its save dialog), and copy text.

export function downloadDataUrl(dataUrl: string, filename: string): void {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Fall back to a hidden text area (clipboard API refused: no focus, or no permission).
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('The clipboard refused the text.');
}

/** File-name-safe slug. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'export';
}

/** Save text as a file (CSV, JSON, DARTS text). */
export function downloadText(text: string, filename: string, type = 'text/plain'): void {
  downloadDataUrl(`data:${type};charset=utf-8,${encodeURIComponent(text)}`, filename);
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A small self-contained page for the browser that comes back from Box. */
export function htmlPage(input: {
  title: string;
  message: string;
  nextStep?: string;
  details?: string[];
  ok: boolean;
  /** A link onwards (a same-origin path the server chose, never one taken from the request). */
  next?: { href: string; text: string };
}): string {
  const details = input.details?.length
    ? `<ul>${input.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`
    : '';
  const next = input.nextStep
    ? `<p class="next"><strong>What to do next:</strong> ${escapeHtml(input.nextStep)}</p>`
    : '';
  const onwards = input.next
    ? `<p><a id="next" href="${escapeHtml(input.next.href)}">${escapeHtml(input.next.text)}</a></p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)} - connect-box</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{color:${input.ok ? '#17663a' : '#a3262a'}}li{margin:.3rem 0}.next{background:#f4f4f4;padding:.8rem;border-radius:6px}</style>
</head><body><h1 id="outcome">${escapeHtml(input.title)}</h1><p id="message">${escapeHtml(input.message)}</p>${next}${details}${onwards}</body></html>`;
}

// RFC 8288 `Link` headers, as Nyckel pages its lists: `<relative URL>; rel="next"`.

/** The target of the first link whose `rel` includes `next`, as written (often relative). */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  // `<…>` may hold commas and semicolons, so each link is matched as a whole.
  const link = /<([^>]*)>((?:\s*;\s*[^;,]*)*)/g;
  for (let m = link.exec(header); m; m = link.exec(header)) {
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return m[1];
  }
  return undefined;
}

/**
 * Where the site's own files are (models/, reference/): beside the page on the site itself, or
 * beside the embedding script on a page elsewhere (src/embed/embed.ts sets it). Paths the site
 * writes relative to its root go through siteUrl before they are fetched.
 */
let base: string | null = null;

/** Makes the site's files be read from `url` (a folder, ending in '/'). */
export function setSiteBase(url: string): void {
  base = url;
}

/** A site-relative path as the URL to fetch: unchanged on the site itself (the page's own folder). */
export function siteUrl(path: string): string {
  return base ? new URL(path, base).href : path;
}

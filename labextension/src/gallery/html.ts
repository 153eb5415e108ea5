/**
 * Preparing the preview page for a sandboxed iframe.
 */

/**
 * Remove `<script>` elements from an HTML page.
 *
 * Not a security boundary (the iframe's empty `sandbox` is: nothing runs in
 * it); it only spares the browser from fetching scripts it would refuse to
 * run (nbconvert pages link MathJax and RequireJS from a CDN).
 */
export function stripScripts(html: string): string {
  return html
    .replace(/<script\b[^>]*>[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<script\b[^>]*\/?>/gi, '');
}

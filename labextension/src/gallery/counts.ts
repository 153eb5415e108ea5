/**
 * The one-line summary of the gallery in the sidebar section.
 */
import type { IListReply } from './types';

/**
 * `4 examples · 1 awaiting review · 2 failing`. The total is the server's; the
 * other counts are of the examples in the reply.
 */
export function countsText(reply: IListReply): string {
  const unreviewed = reply.examples.filter(e => !e.reviewed).length;
  const failing = reply.examples.filter(
    e => e.validation?.status === 'failing'
  ).length;
  const parts = [`${reply.total} example${reply.total === 1 ? '' : 's'}`];
  if (unreviewed) {
    parts.push(`${unreviewed} awaiting review`);
  }
  if (failing) {
    parts.push(`${failing} failing`);
  }
  return parts.join(' · ');
}

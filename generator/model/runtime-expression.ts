import { parsePointer } from '../diagnostics.ts';
import type { RuntimeExpression } from './catalog.ts';

/**
 * Parses the two AsyncAPI runtime expressions a partition key or a channel
 * parameter may use: `$message.payload#/<pointer>` and `$message.header#/<pointer>`.
 * Returns an error message for anything else.
 */
export function parseRuntimeExpression(expression: string): RuntimeExpression | string {
  const match = /^\$message\.(payload|header)#(\/.*)$/.exec(expression.trim());
  if (!match) {
    return `"${expression}" is not a runtime expression of the form $message.payload#/<field> or $message.header#/<name>`;
  }
  const path = parsePointer(match[2] ?? '');
  if (path.length === 0 || path.some((s) => s === ''))
    return `"${expression}" must point at a field, not at the whole message`;
  return { expression: expression.trim(), source: match[1] === 'header' ? 'header' : 'payload', path };
}

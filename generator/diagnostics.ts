/**
 * Everything the generator finds wrong with a contract is a Diagnostic: a code
 * a script can match on, a message a person can act on, and the place: the
 * file (relative to the contracts root) and the JSON pointer inside it.
 * The pipeline collects them and fails once, with all of them, before writing.
 */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly file: string;
  /** JSON pointer inside `file`, e.g. `#/components/messages/UserRegistered/x-partition-key`. */
  readonly pointer: string;
  readonly severity: 'error' | 'warning';
}

export type DiagnosticCode =
  | 'asyncapi-invalid'
  | 'unresolved-ref'
  | 'unsupported'
  | 'missing-field'
  | 'invalid-value'
  | 'duplicate-event'
  | 'event-version'
  | 'duplicate-topic'
  | 'duplicate-name'
  | 'partition-key'
  | 'missing-dead-letter'
  | 'invalid-example'
  | 'io';

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}${d.pointer ? ` ${d.pointer}` : ''}: ${d.severity} [${d.code}] ${d.message}`;
}

/** Thrown by the pipeline when any error-severity diagnostic was collected. */
export class ContractError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      `${errors.length} contract error${errors.length === 1 ? '' : 's'}:\n${errors.map(formatDiagnostic).join('\n')}`,
    );
    this.name = 'ContractError';
    this.diagnostics = diagnostics;
  }
}

/** Builds a JSON pointer from path segments, escaping `~` and `/` (RFC 6901). */
export function pointer(segments: readonly (string | number)[]): string {
  return `#${segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`;
}

/** Splits a JSON pointer (with or without a leading `#`) into unescaped segments. */
export function parsePointer(ptr: string): string[] {
  const body = ptr.startsWith('#') ? ptr.slice(1) : ptr;
  if (body === '' || body === '/') return body === '/' ? [''] : [];
  return body
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

import type { Mode } from '../config.ts';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.ts';
import type { SourceLocation } from '../parse/locate.ts';

/**
 * Collects what the model step finds, each with its place. `convention` is
 * the one switch between the modes: a missing project convention is an error
 * in strict mode and, in lenient mode, a warning that says which default the
 * SDK uses instead (the caller then goes on with that default).
 */
export class Findings {
  readonly diagnostics: Diagnostic[] = [];
  readonly mode: Mode;
  readonly #display: (absPath: string) => string;

  constructor(mode: Mode, display: (absPath: string) => string) {
    this.mode = mode;
    this.#display = display;
  }

  /** A location as diagnostics show it: `file #/pointer`, the file relative to the working directory. */
  place(where: SourceLocation): string {
    return `${this.#display(where.file)} ${where.pointer}`;
  }

  error(code: DiagnosticCode, where: SourceLocation, message: string): void {
    this.#push(code, where, message, 'error');
  }

  warning(code: DiagnosticCode, where: SourceLocation, message: string): void {
    this.#push(code, where, message, 'warning');
  }

  /**
   * A project convention the document does not follow. Strict: an error with `rule`. Lenient: a
   * warning with `rule` and `fallback` (what is done instead). Returns true when the caller should
   * go on with the fallback.
   */
  convention(code: DiagnosticCode, where: SourceLocation, rule: string, fallback: string): boolean {
    if (this.mode === 'strict') {
      this.#push(code, where, rule, 'error');
      return false;
    }
    this.#push(code, where, `${rule}; lenient mode: ${fallback}`, 'warning');
    return true;
  }

  #push(code: DiagnosticCode, where: SourceLocation, message: string, severity: 'error' | 'warning'): void {
    this.diagnostics.push({
      code,
      severity,
      message,
      file: this.#display(where.file),
      pointer: where.pointer,
    });
  }
}

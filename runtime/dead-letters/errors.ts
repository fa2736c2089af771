/**
 * Bad input to the dead-letter tool (unknown topic, bad offset range, missing --reason): the CLI
 * prints the message alone and exits 2. Anything else is a failure of the infrastructure (exit 1).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

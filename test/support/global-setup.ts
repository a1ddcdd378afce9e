import { requireJava } from '../../local/java.js';

/**
 * Before any test file: the integration tests run DynamoDB Local, a Java program. Without Java the run
 * stops at once with the fix, instead of every file waiting for an emulator that never answers.
 */
export default function setup(): void {
  requireJava();
}

import { requireJava } from '../../local/java.js';
import { ensureBundles } from '../../local/lambda/bundles.js';

/**
 * Before any test file: the integration tests run DynamoDB Local, a Java program. Without Java the run
 * stops at once with the fix, instead of every file waiting for an emulator that never answers. Then the
 * Lambda bundles are built once (content-hash cache), so parallel test files do not each build them.
 */
export default async function setup(): Promise<void> {
  requireJava();
  await ensureBundles();
}

import { spawnSync } from 'node:child_process';

/** The Java major DynamoDB Local needs. */
export const REQUIRED_JAVA_MAJOR = 17;

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
}

const INSTALL_HINT =
  'Install a Java 17+ runtime: `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu), `brew install openjdk@17` (macOS) or any JDK 17+, and make sure `java` is on PATH.';

/** `java -version` output → its major version (`1.8.0_392` → 8, `17.0.15` → 17), or undefined. */
export function javaMajorOf(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

/**
 * Checks, in well under a second, that `java` is on PATH and is Java 17 or newer (DynamoDB Local is a
 * Java program); throws JavaMissingError naming the fix otherwise, instead of letting the emulator fail
 * to answer for half a minute.
 */
export function requireJava(env: NodeJS.ProcessEnv = process.env): void {
  const run = spawnSync('java', ['-version'], { env, encoding: 'utf8', timeout: 4000 });
  const error = run.error as NodeJS.ErrnoException | undefined;
  if (error?.code === 'ENOENT')
    throw new JavaMissingError(
      `DynamoDB Local needs Java ${REQUIRED_JAVA_MAJOR}+, and no \`java\` is on PATH. ${INSTALL_HINT}`,
    );
  if (error) throw new JavaMissingError(`\`java -version\` failed (${error.message}). ${INSTALL_HINT}`);
  const major = javaMajorOf(`${run.stderr}${run.stdout}`);
  if (major === undefined)
    throw new JavaMissingError(`\`java -version\` printed no version (exit ${run.status}). ${INSTALL_HINT}`);
  if (major < REQUIRED_JAVA_MAJOR)
    throw new JavaMissingError(
      `DynamoDB Local needs Java ${REQUIRED_JAVA_MAJOR}+, and \`java\` on PATH is Java ${major}. ${INSTALL_HINT}`,
    );
}

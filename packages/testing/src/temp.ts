import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/**
 * A fresh folder under the OS temp folder for one test file, removed after
 * the file's tests by {@link removeTempDirs} (md's Vitest projects run it in
 * a setup file), so a test run leaves nothing behind.
 *
 * @example
 * const folder = tempDir('md-row-walls-');
 * const isolation = rowLevel({ driver: SqliteDriver, dbName: join(folder, 'walls.sqlite'), entities });
 */
export function tempDir(prefix = 'md-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/**
 * Removes every folder {@link tempDir} made in this process. Register it once
 * per test file, after everything that uses the folders is closed:
 * `afterAll(removeTempDirs)` in a Vitest setup file.
 *
 * @example
 * // vitest setup file
 * afterAll(removeTempDirs);
 */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
}

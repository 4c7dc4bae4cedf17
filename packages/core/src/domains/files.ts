import { lstat, mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { MdError } from '../errors/md-error.js';

/**
 * `domain.files`: file storage under a per-domain root (`<filesRoot>/<domain>`). Every path is relative to that root;
 * absolute paths, `..` that leaves the root, NUL bytes and symbolic links
 * that point outside are refused with `PATH_ESCAPE`.
 *
 * @example
 * await site.domain.files.write('logo.png', bytes);
 * const path = await site.domain.files.resolve('products/1.jpg'); // under <filesRoot>/acme
 */
export class DomainFiles {
  /** The domain's root folder (absolute). */
  readonly root: string;
  readonly #domain: string;

  constructor(filesRoot: string, domain: string) {
    this.root = resolve(filesRoot, domain);
    this.#domain = domain;
  }

  /**
   * The absolute path of `path` inside the domain's root, after checking that
   * neither the path nor any symbolic link on it leads outside.
   */
  async resolve(path: string): Promise<string> {
    const target = this.#lexical(path);
    await mkdir(this.root, { recursive: true });
    const realRoot = await realpath(this.root);
    // Follow links on the longest existing prefix: a link out of the root is an escape.
    let existing = target;
    for (;;) {
      try {
        const real = join(await realpath(existing), relative(existing, target));
        if (!within(realRoot, real)) throw this.#escape(path, 'it follows a link out of the domain root');
        return real;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || existing === this.root) throw error;
        // It exists but cannot be followed: a dangling link, which a write would follow anywhere.
        if (
          await lstat(existing).then(
            () => true,
            () => false,
          )
        ) {
          throw this.#escape(path, 'it goes through a link that points nowhere inside the domain root');
        }
        existing = resolve(existing, '..');
      }
    }
  }

  async read(path: string): Promise<Buffer> {
    return readFile(await this.resolve(path));
  }

  async readText(path: string): Promise<string> {
    return readFile(await this.resolve(path), 'utf8');
  }

  async write(path: string, data: string | Uint8Array): Promise<string> {
    const full = await this.resolve(path);
    await mkdir(resolve(full, '..'), { recursive: true });
    // Re-check after mkdir: a link planted meanwhile must not redirect the write.
    const checked = await this.resolve(path);
    await writeFile(checked, data);
    return checked;
  }

  async remove(path: string): Promise<void> {
    await rm(await this.resolve(path), { force: true, recursive: true });
  }

  #lexical(path: string): string {
    if (typeof path !== 'string' || path === '') throw this.#escape(String(path), 'it is empty');
    if (path.includes('\0')) throw this.#escape(path, 'it contains a NUL byte');
    if (isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.startsWith('\\')) {
      throw this.#escape(path, 'it is absolute');
    }
    if (path.includes('\\')) throw this.#escape(path, 'it contains a backslash');
    const target = resolve(this.root, normalize(path));
    if (!within(this.root, target) || target === this.root)
      throw this.#escape(path, 'it leaves the domain root');
    return target;
  }

  #escape(path: string, reason: string): MdError {
    return MdError.pathEscape(path, this.#domain, reason);
  }
}

function within(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
}

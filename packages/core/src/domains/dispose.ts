/** Disposes one service instance (or the promise of one): `dispose()`, else `close()`; never throws for a failed build. */
export async function disposeService(instance: unknown): Promise<void> {
  const value = await Promise.resolve(instance).catch(() => undefined);
  if (value === null || typeof value !== 'object') return;
  const disposable = value as { dispose?: () => unknown; close?: () => unknown };
  if (typeof disposable.dispose === 'function') await disposable.dispose();
  else if (typeof disposable.close === 'function') await disposable.close();
}

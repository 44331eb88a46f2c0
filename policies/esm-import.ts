import vm from 'node:vm';

type Importer = (specifier: string) => Promise<unknown>;

// TypeScript compiles `await import(x)` to `require(x)` in this CommonJS build, and pdfjs-dist and
// secretlint ship ES modules only: a function built at run time keeps the real dynamic import.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body, no user input: see above
const nativeImport = new Function('specifier', 'return import(specifier)') as Importer;

/**
 * Loads an ES-module-only package from CommonJS code. Inside a VM sandbox without ES module support
 * (Jest without --experimental-vm-modules), the native import is refused; the module is then loaded by
 * Node's own loader in the main context, which gives the same module the production process gets.
 */
export async function importEsm<T>(specifier: string): Promise<T> {
  try {
    return (await nativeImport(specifier)) as T;
  } catch (error) {
    if (!isSandboxRefusal(error)) throw error;
    const mainContextImport = vm.runInThisContext('(specifier) => import(specifier)', {
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }) as Importer;
    return (await mainContextImport(specifier)) as T;
  }
}

function isSandboxRefusal(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING' ||
    (typeof message === 'string' && message.includes('dynamic import callback was invoked without'))
  );
}

// Paths of files electron-builder unpacks from app.asar (asarUnpack in electron-builder.yml): a child process
// is started from the real file under app.asar.unpacked, where Node resolves its modules without Electron's help.

/** `/…/resources/app.asar/out/main/worker.js` → `/…/resources/app.asar.unpacked/out/main/worker.js`; other paths as they are. */
export function unpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

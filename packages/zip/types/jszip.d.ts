// Browser type-check stand-in for jszip (tsconfig.json maps 'jszip' here). jszip's own typings
// reference @types/node, which would let Node-only globals slip into browser code unnoticed.
// Only what src/jszip-archive.ts calls; the Node type-check (tsconfig.node.json) uses the real typings.
declare const JSZip: {
  loadAsync(
    data: Uint8Array | ArrayBuffer | Blob,
    options?: { checkCRC32?: boolean; createFolders?: boolean; decodeFileName?: (raw: unknown) => string },
  ): Promise<unknown>;
};
export default JSZip;

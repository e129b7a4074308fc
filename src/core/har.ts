// HAR 1.2 export and import, plain JSON and CSV exports, byte helpers: the
// path the panel, the viewer and the CLI import from. Each job lives in its
// own module:
//   har/types.ts    the HAR documents we write and read
//   har/export.ts   Session → HAR (toHar)
//   har/import.ts   HAR → Session (fromHar), ours and Chrome's
//   sessionFiles.ts session JSON and messages CSV
//   bytes.ts        UTF-8 / base64 sizes and conversions
export * from './har/types';
export { toHar } from './har/export';
export { CHROME_HAR_WARNING, fromHar } from './har/import';
export { csvField, messagesToCsv, sessionToJson } from './sessionFiles';
export { base64ByteLength, base64ToBytes, bytesToBase64, utf8ByteLength } from './bytes';

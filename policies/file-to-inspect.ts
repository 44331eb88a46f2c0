import { z } from 'zod';
import { fileSharingSchema } from './exposure/file-sharing';

/** A file handed to {@link inspectFile}: metadata and sharing as Box lists them, content if downloaded. */
export const fileToInspectSchema = z.object({
  name: z.string(),
  /** Without the dot; taken from the name when absent. */
  extension: z.string().optional(),
  size: z.number().int().nonnegative(),
  content: z.custom<Uint8Array>(isByteArray, 'content must be a Uint8Array or a Buffer').optional(),
  sharing: fileSharingSchema,
  ownerLogin: z.string().optional(),
  /** The folder holding the file, such as "/Finance/Payroll". */
  path: z.string().optional(),
});

/** A file to inspect. */
export type FileToInspect = z.infer<typeof fileToInspectSchema>;

/** A file's metadata without its content: what {@link needsContent} decides on. */
export type FileMetadata = Omit<FileToInspect, 'content'>;

// Not `instanceof`: a Buffer made in another realm (a VM sandbox, a worker) is still bytes.
function isByteArray(value: unknown): boolean {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

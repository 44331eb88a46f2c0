import type { AccessLevel } from '../exposure/access-level';

/** What policies know about a file without its content. */
export interface FileFacts {
  /** The file's name, such as "payroll-2026.xlsx". */
  readonly name: string;
  readonly extension: string;
  readonly size: number;
  readonly ownerLogin?: string;
  /** The folder holding the file, "/"-separated from the root, such as "/Finance/Payroll". */
  readonly path?: string;
  readonly accessLevel: AccessLevel;
}

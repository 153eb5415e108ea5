/**
 * Replies of the kernel installers' API (`mlstudio/api/kernels…`).
 */

/** An installed kernelspec. */
export interface IKernelSpec {
  name: string;
  display_name: string;
  language: string;
  location: string;
  argv: string[];
  interpreter: string | null;
  environment: string | null;
  managed: boolean;
  kind: string | null;
  backend?: string | null;
  installed?: string | null;
  writable: boolean;
}

/** The type of an install option, which picks its form control. */
export type OptionType = 'string' | 'text' | 'list' | 'choice' | 'bool';

/** One install option of a kind. */
export interface IKindOption {
  name: string;
  type: OptionType;
  help: string;
  default: unknown;
  choices: string[];
}

/** A kind of kernel that can be installed. */
export interface IKernelKind {
  kind: string;
  label: string;
  language: string;
  description: string;
  available: boolean;
  message: string;
  default_name: string;
  default_display_name: string;
  options: IKindOption[];
  busy: boolean;
}

/** The states of an install. */
export type InstallStatus =
  | 'Pending'
  | 'InProgress'
  | 'Completed'
  | 'Failed'
  | 'Stopping'
  | 'Stopped';

/** An install job. */
export interface IInstall {
  id: string;
  kind: string;
  name: string;
  display_name: string;
  options: Record<string, unknown>;
  replace: boolean;
  status: InstallStatus;
  phase: string;
  progress: number;
  message: string;
  created: string | null;
  started: string | null;
  ended: string | null;
  duration: number | null;
  log_size: number;
  kernelspec: IKernelSpec | null;
}

/** `GET kernels`. */
export interface IKernelsReply {
  kernelspecs: IKernelSpec[];
  kinds: IKernelKind[];
  installs: IInstall[];
  env_dir: string;
  kernel_dir: string;
}

/** `GET kernels/installs/<id>/log`. */
export interface ILogChunk {
  text: string;
  next_offset: number;
  truncated: boolean;
  status: InstallStatus;
  finished: boolean;
}

/** `POST kernels/installs`. */
export interface IInstallRequest {
  kind: string;
  name?: string;
  display_name?: string;
  options?: Record<string, unknown>;
  replace?: boolean;
}

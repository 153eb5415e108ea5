/**
 * Shapes of the gallery's REST replies (`mlstudio/api/examples/…`).
 */

/** Outcome of running an example top to bottom. */
export type ValidationStatus =
  'passing' | 'failing' | 'not-run' | 'skipped' | 'invalid';

/** The validation badge of an example as the server reports it. */
export interface IValidation {
  status: ValidationStatus;
  /** Seconds the last run took. */
  duration?: number;
  /** Why it fails, or why the notebook is invalid. */
  error?: string | null;
  /** ISO time of the last run. */
  validated_at?: string;
}

/** One example (`E` in the API). `id` is opaque. */
export interface IExample {
  id: string;
  source: string;
  /** File name, e.g. `s3-magics.ipynb`. */
  name: string;
  category: string;
  title: string;
  summary: string;
  tags: string[];
  kernel: string;
  language: string;
  author: string;
  packages: string[];
  /** ISO time. */
  modified: string;
  size: number;
  reviewed: boolean;
  valid: boolean;
  error: string | null;
  validation: IValidation;
}

/** A source of examples. */
export interface IExampleSource {
  name: string;
  kind: string;
  reviewed: boolean;
  writable: boolean;
}

/** `GET examples`. */
export interface IListReply {
  examples: IExample[];
  total: number;
  next_token: string | null;
  categories: string[];
  tags: string[];
  sources: IExampleSource[];
}

/** `POST examples/{id}/use` body. */
export interface IUseRequest {
  folder: string;
  name?: string;
  strip_outputs: boolean;
}

/** `POST examples/{id}/use` reply. */
export interface IUseReply {
  path: string;
}

/** `POST examples` (share) body. */
export interface IShareRequest {
  path: string;
  title: string;
  summary: string;
  tags: string[];
  category: string;
}

/** A review decision. */
export type ReviewAction = 'approve' | 'reject';

/** One example's result in a validation run. */
export interface IValidationResult {
  id: string;
  title: string;
  status: ValidationStatus;
  duration: number;
  error: string | null;
}

/** A validation run (`POST examples/validations`, `GET …/{jobId}`). */
export interface IValidationRun {
  id: string;
  status: 'InProgress' | 'Completed' | string;
  total: number;
  done: number;
  results: IValidationResult[];
}

/** `POST examples/{id}/review` reply. */
export interface IReviewReply {
  action: 'approved' | 'rejected';
  /** The example in its reviewed source (approve). */
  example?: IExample;
  /** The rejected example's id (reject). */
  id?: string;
}

/** The gallery's REST calls, as the view and its model use them. */
export interface IGalleryRequests {
  list(path: string): Promise<IListReply>;
  review(id: string, action: ReviewAction): Promise<IReviewReply>;
  remove(id: string): Promise<void>;
}

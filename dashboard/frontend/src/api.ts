// The dashboard's JSON API. The CSRF token comes with the session and goes on every POST.

export interface ApiFailure {
  status: number;
  error: string;
  sqlstate?: string | null;
  hint?: string | null;
}

export class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.error);
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ApiError({ status: response.status, error: json?.error ?? response.statusText, sqlstate: json?.sqlstate, hint: json?.hint });
  }
  return json as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);

export interface Session { role: string; database: string; csrf_token: string }

export type Metrics = Record<string, unknown>;

export interface ProjectSummary {
  id: number; name: string; task: string; key_metric: string;
  deployed_model_id: number | null; deployed_algorithm: string | null; deployed_at: string | null;
  deployed_metric: number | null; last_trained: string | null; models: number;
}

export interface Model {
  id: number; algorithm: string; status: string; runtime: string | null; hyperparams: Record<string, unknown>;
  metrics: Metrics | null; search: string | null; search_params: unknown; snapshot_id: number | null;
  num_features: number; created_at: string;
}

export interface Deployment { id: number; model_id: number; strategy: string; created_at: string; algorithm: string | null }

export interface ProjectDetail {
  project: { id: number; name: string; task: string; created_at: string; key_metric: string };
  models: Model[];
  deployments: Deployment[];
  can_deploy: boolean;
}

export interface ColumnStatistics {
  min?: number | null; max?: number | null; mean?: number | null; median?: number | null; std_dev?: number | null;
  missing?: number; distinct?: number; histogram?: number[]; categories?: Record<string, { value: number; members: number }> | null;
}

export interface SnapshotColumn { name: string; pg_type: string | null; label: boolean; nullable?: boolean; statistics?: ColumnStatistics }

export interface Snapshot {
  id: number; relation_name: string; y_column_name: string[] | null; test_size: number; test_sampling: string;
  status: string; columns: SnapshotColumn[] | null; analysis: Record<string, unknown> | null; materialized: boolean;
  created_at: string; models: { id: number; project_id: number; algorithm: string }[];
}

export interface TuningRun { model_id: number | null; project_id: number | null; project: string | null; started: string; entries: Record<string, unknown>[] }

export interface Meter {
  name: string; description: string | null; unit: string | null; tags: Record<string, string>; type: string;
  count?: number; mean_ms?: number; max_ms?: number; total_ms?: number; mean?: number; max?: number; total?: number; value?: number | null;
}

export interface ConsoleResult {
  results: ({ columns: { name: string; type: string }[]; rows: (string | null)[][]; truncated?: boolean } | { update_count: number })[];
}

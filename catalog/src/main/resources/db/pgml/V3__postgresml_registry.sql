-- PostgresML's model registry, with its tables, enums and views as PostgresML 2.10 creates them
-- (sql/schema.sql plus the upgrade scripts), so existing dashboards and queries work. A database
-- that already has a PostgresML catalog keeps it untouched: every object is created only when absent.
DO $$
BEGIN
    IF to_regtype('pgml.task') IS NULL THEN
        CREATE TYPE pgml.task AS ENUM ('regression', 'classification', 'decomposition', 'clustering',
            'question_answering', 'summarization', 'translation', 'text_classification', 'text_generation',
            'text2text', 'embedding', 'text_pair_classification', 'conversation');
    END IF;
    IF to_regtype('pgml.algorithm') IS NULL THEN
        CREATE TYPE pgml.algorithm AS ENUM ('linear', 'xgboost', 'xgboost_random_forest', 'svm', 'lasso', 'elastic_net',
            'ridge', 'kmeans', 'dbscan', 'knn', 'random_forest', 'least_angle', 'lasso_least_angle',
            'orthogonal_matching_pursuit', 'bayesian_ridge', 'automatic_relevance_determination',
            'stochastic_gradient_descent', 'perceptron', 'passive_aggressive', 'ransac', 'theil_sen', 'huber',
            'quantile', 'kernel_ridge', 'gaussian_process', 'nu_svm', 'ada_boost', 'bagging', 'extra_trees',
            'gradient_boosting_trees', 'hist_gradient_boosting', 'linear_svm', 'lightgbm', 'transformers',
            'affinity_propagation', 'birch', 'feature_agglomeration', 'mini_batch_kmeans', 'mean_shift', 'optics',
            'spectral', 'spectral_bi', 'spectral_co', 'catboost', 'pca');
    END IF;
    IF to_regtype('pgml.runtime') IS NULL THEN
        CREATE TYPE pgml.runtime AS ENUM ('python', 'rust', 'openai');
    END IF;
    IF to_regtype('pgml.search') IS NULL THEN
        CREATE TYPE pgml.search AS ENUM ('grid', 'random');
    END IF;
    IF to_regtype('pgml.sampling') IS NULL THEN
        CREATE TYPE pgml.sampling AS ENUM ('random', 'last', 'stratified');
    END IF;
    IF to_regtype('pgml.strategy') IS NULL THEN
        CREATE TYPE pgml.strategy AS ENUM ('new_score', 'best_score', 'most_recent', 'rollback', 'specific');
    END IF;
    IF to_regtype('pgml.status') IS NULL THEN
        CREATE TYPE pgml.status AS ENUM ('in_progress', 'successful', 'failed');
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION pgml.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF (NEW.* IS DISTINCT FROM OLD.*) THEN
        NEW.updated_at := clock_timestamp();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TABLE IF NOT EXISTS pgml.projects (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    task pgml.task NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp(),
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX IF NOT EXISTS projects_name_idx ON pgml.projects (name);

CREATE TABLE IF NOT EXISTS pgml.snapshots (
    id BIGSERIAL PRIMARY KEY,
    relation_name TEXT NOT NULL,
    y_column_name TEXT[],
    test_size FLOAT4 NOT NULL,
    test_sampling pgml.sampling NOT NULL,
    status TEXT NOT NULL,
    columns JSONB,
    analysis JSONB,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp(),
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp(),
    materialized BOOLEAN DEFAULT false
);

CREATE TABLE IF NOT EXISTS pgml.models (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES pgml.projects (id) ON DELETE CASCADE,
    snapshot_id BIGINT REFERENCES pgml.snapshots (id) ON DELETE SET NULL,
    num_features INT NOT NULL,
    algorithm TEXT NOT NULL,
    runtime pgml.runtime DEFAULT 'python'::pgml.runtime,
    hyperparams JSONB NOT NULL,
    status TEXT NOT NULL,
    metrics JSONB,
    search TEXT,
    search_params JSONB NOT NULL,
    search_args JSONB NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp(),
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS models_project_id_idx ON pgml.models (project_id);
CREATE INDEX IF NOT EXISTS models_snapshot_id_idx ON pgml.models (snapshot_id);

CREATE TABLE IF NOT EXISTS pgml.deployments (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES pgml.projects (id) ON DELETE CASCADE,
    model_id BIGINT NOT NULL REFERENCES pgml.models (id) ON DELETE CASCADE,
    strategy pgml.strategy NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS deployments_project_id_idx ON pgml.deployments (project_id);
CREATE INDEX IF NOT EXISTS deployments_model_id_idx ON pgml.deployments (model_id);

CREATE TABLE IF NOT EXISTS pgml.files (
    id BIGSERIAL PRIMARY KEY,
    model_id BIGINT NOT NULL REFERENCES pgml.models (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    part INTEGER NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp(),
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT clock_timestamp(),
    data BYTEA NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS files_model_id_path_part_idx ON pgml.files (model_id, path, part);

CREATE TABLE IF NOT EXISTS pgml.logs (
    id SERIAL PRIMARY KEY,
    model_id BIGINT,
    project_id BIGINT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    logs JSONB
);

DO $$
BEGIN
    -- PostgresML also puts this trigger on deployments, which has no updated_at column (an UPDATE
    -- there would fail); the sidecar installs it only where the column exists.
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'projects_auto_updated_at') THEN
        CREATE TRIGGER projects_auto_updated_at BEFORE UPDATE ON pgml.projects FOR EACH ROW EXECUTE FUNCTION pgml.set_updated_at();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'snapshots_auto_updated_at') THEN
        CREATE TRIGGER snapshots_auto_updated_at BEFORE UPDATE ON pgml.snapshots FOR EACH ROW EXECUTE FUNCTION pgml.set_updated_at();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'models_auto_updated_at') THEN
        CREATE TRIGGER models_auto_updated_at BEFORE UPDATE ON pgml.models FOR EACH ROW EXECUTE FUNCTION pgml.set_updated_at();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'files_auto_updated_at') THEN
        CREATE TRIGGER files_auto_updated_at BEFORE UPDATE ON pgml.files FOR EACH ROW EXECUTE FUNCTION pgml.set_updated_at();
    END IF;
END
$$;

CREATE OR REPLACE VIEW pgml.overview AS
SELECT p.name, d.created_at AS deployed_at, p.task, m.algorithm, m.runtime, s.relation_name, s.y_column_name,
       s.test_sampling, s.test_size
FROM pgml.projects p
INNER JOIN pgml.models m ON p.id = m.project_id
INNER JOIN pgml.deployments d ON d.project_id = p.id AND d.model_id = m.id
INNER JOIN pgml.snapshots s ON s.id = m.snapshot_id
ORDER BY d.created_at DESC;

CREATE OR REPLACE VIEW pgml.trained_models AS
SELECT m.id, p.name, p.task, m.algorithm, m.runtime, m.created_at, s.test_sampling, s.test_size,
       d.model_id IS NOT NULL AS deployed
FROM pgml.projects p
INNER JOIN pgml.models m ON p.id = m.project_id
INNER JOIN pgml.snapshots s ON s.id = m.snapshot_id
LEFT OUTER JOIN (
    SELECT DISTINCT ON (project_id) project_id, model_id, created_at
    FROM pgml.deployments
    ORDER BY project_id, created_at DESC
) d ON d.model_id = m.id
ORDER BY m.created_at DESC;

CREATE OR REPLACE VIEW pgml.deployed_models AS
SELECT m.id, p.name, p.task, m.algorithm, m.runtime, d.created_at AS deployed_at
FROM pgml.projects p
INNER JOIN (
    SELECT DISTINCT ON (project_id) project_id, model_id, created_at
    FROM pgml.deployments
    ORDER BY project_id, created_at DESC
) d ON d.project_id = p.id
INNER JOIN pgml.models m ON m.id = d.model_id
ORDER BY p.name ASC;

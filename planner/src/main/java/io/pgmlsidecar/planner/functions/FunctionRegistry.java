package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.planner.values.PgTypes;
import java.util.List;
import java.util.Map;

/** The intercepted functions, by qualified lower-case name. */
public final class FunctionRegistry {
    private FunctionRegistry() {}

    public static final ApiFunction EMBED = new ApiFunction("pgml.embed", List.of(
            new ApiFunction.Parameter("transformer", PgTypes.TEXT, null, List.of()),
            new ApiFunction.Parameter("text", PgTypes.TEXT, null, List.of("inputs")),
            new ApiFunction.Parameter("kwargs", PgTypes.JSONB, "'{}'", List.of())),
            PgTypes.FLOAT4_ARRAY, false);

    public static final ApiFunction VERSION = new ApiFunction("pgml.version", List.of(), PgTypes.TEXT, false);

    public static final ApiFunction LOAD_DATASET = new ApiFunction("pgml.load_dataset", List.of(
            p("source", PgTypes.TEXT, null), p("subset", PgTypes.TEXT, "NULL"), p("limit", PgTypes.INT8, "NULL"),
            p("kwargs", PgTypes.JSONB, "'{}'")), PgTypes.UNKNOWN, true);

    public static final ApiFunction TRAIN = train("pgml.train", PgTypes.TEXT);

    /** tune: fine-tuning (PostgresML ignores y_column_name; here it names the class column when dataset_args does not). */
    public static final ApiFunction TUNE = new ApiFunction("pgml.tune", List.of(
            p("project_name", PgTypes.TEXT, null), p("task", PgTypes.TEXT, "NULL"), p("relation_name", PgTypes.TEXT, "NULL"),
            // PostgresML names it _y_column_name (unused there): named-argument calls may use either name
            new ApiFunction.Parameter("y_column_name", PgTypes.TEXT, "NULL", List.of("_y_column_name")),
            p("model_name", PgTypes.TEXT, "NULL"), p("hyperparams", PgTypes.JSONB, "'{}'"),
            p("test_size", PgTypes.FLOAT4, "0.25"), p("test_sampling", PgTypes.TEXT, "'stratified'"),
            p("automatic_deploy", PgTypes.BOOL, "true"), p("materialize_snapshot", PgTypes.BOOL, "false")), PgTypes.UNKNOWN, true);

    /** generate(project_name, inputs text | text[], config) → text | text[]. */
    public static final ApiFunction GENERATE = new ApiFunction("pgml.generate", List.of(
            p("project_name", PgTypes.TEXT, null), p("inputs", PgTypes.TEXT, null), p("config", PgTypes.JSONB, "'{}'")),
            PgTypes.TEXT, false);

    /** train_joint: the same arguments, with y_column_name text[]. */
    public static final ApiFunction TRAIN_JOINT = train("pgml.train_joint", PgTypes.TEXT_ARRAY);

    public static final ApiFunction SNAPSHOT = new ApiFunction("pgml.snapshot", List.of(
            p("relation_name", PgTypes.TEXT, null), p("y_column_name", PgTypes.TEXT, null), p("test_size", PgTypes.FLOAT4, "0.25"),
            p("test_sampling", PgTypes.TEXT, "'stratified'"), p("preprocess", PgTypes.JSONB, "'{}'")), PgTypes.UNKNOWN, true);

    public static final ApiFunction DEPLOY = new ApiFunction("pgml.deploy", List.of(
            new ApiFunction.Parameter("project_name", PgTypes.TEXT, null, List.of("model_id")),
            p("strategy", PgTypes.TEXT, "NULL"), p("algorithm", PgTypes.TEXT, "NULL")), PgTypes.UNKNOWN, true);

    public static final ApiFunction PREDICT = new ApiFunction("pgml.predict", List.of(
            new ApiFunction.Parameter("project_name", PgTypes.TEXT, null, List.of("model_id")),
            new ApiFunction.Parameter("features", PgTypes.FLOAT4_ARRAY, null, List.of("row"))), PgTypes.FLOAT4, false);

    public static final ApiFunction PREDICT_PROBA = new ApiFunction("pgml.predict_proba", List.of(
            new ApiFunction.Parameter("project_name", PgTypes.TEXT, null, List.of("model_id")),
            p("features", PgTypes.FLOAT4_ARRAY, null)), PgTypes.FLOAT4_ARRAY, false);

    public static final ApiFunction PREDICT_JOINT = new ApiFunction("pgml.predict_joint", List.of(
            new ApiFunction.Parameter("project_name", PgTypes.TEXT, null, List.of("model_id")),
            p("features", PgTypes.FLOAT4_ARRAY, null)), PgTypes.FLOAT4_ARRAY, false);

    public static final ApiFunction PREDICT_BATCH = new ApiFunction("pgml.predict_batch", List.of(
            new ApiFunction.Parameter("project_name", PgTypes.TEXT, null, List.of("model_id")),
            p("features", PgTypes.FLOAT4_ARRAY, null)), PgTypes.FLOAT4, true);

    public static final ApiFunction DECOMPOSE = new ApiFunction("pgml.decompose", List.of(
            p("project_name", PgTypes.TEXT, null), p("vector", PgTypes.FLOAT4_ARRAY, null)), PgTypes.FLOAT4_ARRAY, false);

    public static final ApiFunction CHUNK = new ApiFunction("pgml.chunk", List.of(
            p("splitter", PgTypes.TEXT, null), p("text", PgTypes.TEXT, null), p("kwargs", PgTypes.JSONB, "'{}'")), PgTypes.UNKNOWN, true);

    public static final ApiFunction AZURE_ML_INVOKE = new ApiFunction("azure_ml.invoke", List.of(
            p("input_data", PgTypes.JSONB, null), p("timeout_ms", PgTypes.INT4, "NULL"), p("throw_on_error", PgTypes.BOOL, "true"),
            p("deployment_name", PgTypes.TEXT, "NULL"), p("max_attempts", PgTypes.INT4, "1"), p("retry_delay_ms", PgTypes.INT4, "1000")),
            PgTypes.JSONB, false);
    public static final ApiFunction AZURE_AI_SET_SETTING = new ApiFunction("azure_ai.set_setting", List.of(
            p("key", PgTypes.TEXT, null), p("value", PgTypes.TEXT, null)), PgTypes.UNKNOWN, false);
    public static final ApiFunction AZURE_AI_GET_SETTING = new ApiFunction("azure_ai.get_setting", List.of(
            p("key", PgTypes.TEXT, null)), PgTypes.TEXT, false);

    public static final ApiFunction DUMP_ALL = new ApiFunction("pgml.dump_all", List.of(p("path", PgTypes.TEXT, null)),
            PgTypes.UNKNOWN, false);
    public static final ApiFunction LOAD_ALL = new ApiFunction("pgml.load_all", List.of(p("path", PgTypes.TEXT, null)),
            PgTypes.UNKNOWN, false);

    public static final ApiFunction TRANSFORM = new ApiFunction("pgml.transform", List.of(
            p("task", PgTypes.TEXT, null), p("args", PgTypes.JSONB, "'{}'"), p("inputs", PgTypes.TEXT_ARRAY, "ARRAY[]::text[]"),
            p("cache", PgTypes.BOOL, "false")), PgTypes.JSONB, false);

    /** transform_stream(task, args, input text) and (conversational) transform_stream(task, args, inputs jsonb[]). */
    public static final ApiFunction TRANSFORM_STREAM = new ApiFunction("pgml.transform_stream", List.of(
            p("task", PgTypes.TEXT, null), p("args", PgTypes.JSONB, "'{}'"), new ApiFunction.Parameter("input", PgTypes.TEXT, "''", List.of("inputs")),
            p("cache", PgTypes.BOOL, "false")), PgTypes.JSONB, true);

    public static final ApiFunction RANK = new ApiFunction("pgml.rank", List.of(
            p("transformer", PgTypes.TEXT, null), p("query", PgTypes.TEXT, null), p("documents", PgTypes.TEXT_ARRAY, null),
            p("kwargs", PgTypes.JSONB, "'{}'")), PgTypes.UNKNOWN, true);

    public static final ApiFunction PYTHON_VERSION = new ApiFunction("pgml.python_version", List.of(), PgTypes.TEXT, false);
    public static final ApiFunction PYTHON_PACKAGE_VERSION = new ApiFunction("pgml.python_package_version",
            List.of(p("name", PgTypes.TEXT, null)), PgTypes.TEXT, false);
    public static final ApiFunction PYTHON_PIP_FREEZE = new ApiFunction("pgml.python_pip_freeze", List.of(), PgTypes.TEXT, true);
    public static final ApiFunction XGBOOST_VERSION = new ApiFunction("pgml.xgboost_version", List.of(), PgTypes.TEXT, false);
    public static final ApiFunction ACTIVATE_VENV = new ApiFunction("pgml.activate_venv",
            List.of(p("venv", PgTypes.TEXT, null)), PgTypes.BOOL, false);
    public static final ApiFunction VALIDATE_PYTHON_DEPENDENCIES = new ApiFunction("pgml.validate_python_dependencies",
            List.of(), PgTypes.BOOL, false);
    public static final ApiFunction VALIDATE_SHARED_LIBRARY = new ApiFunction("pgml.validate_shared_library",
            List.of(), PgTypes.UNKNOWN, false);
    public static final ApiFunction CLEAR_GPU_CACHE = new ApiFunction("pgml.clear_gpu_cache",
            List.of(p("memory_usage", PgTypes.FLOAT4, "NULL")), PgTypes.BOOL, false);

    public static final ApiFunction SKLEARN_F1_SCORE = metric("pgml.sklearn_f1_score", false);
    public static final ApiFunction SKLEARN_R2_SCORE = metric("pgml.sklearn_r2_score", false);
    public static final ApiFunction SKLEARN_REGRESSION_METRICS = metric("pgml.sklearn_regression_metrics", false);
    public static final ApiFunction SKLEARN_CLASSIFICATION_METRICS = metric("pgml.sklearn_classification_metrics", true);

    private static final Map<String, ApiFunction> FUNCTIONS = byName(EMBED, VERSION, LOAD_DATASET, TRAIN, TRAIN_JOINT, SNAPSHOT, DEPLOY,
            PREDICT, PREDICT_PROBA, PREDICT_JOINT, PREDICT_BATCH, DECOMPOSE, CHUNK, AZURE_ML_INVOKE, AZURE_AI_SET_SETTING, AZURE_AI_GET_SETTING, DUMP_ALL, LOAD_ALL, TRANSFORM, TRANSFORM_STREAM, TUNE, GENERATE, RANK, PYTHON_VERSION, PYTHON_PACKAGE_VERSION, PYTHON_PIP_FREEZE, XGBOOST_VERSION, ACTIVATE_VENV,
            VALIDATE_PYTHON_DEPENDENCIES, VALIDATE_SHARED_LIBRARY, CLEAR_GPU_CACHE, SKLEARN_F1_SCORE, SKLEARN_R2_SCORE,
            SKLEARN_REGRESSION_METRICS, SKLEARN_CLASSIFICATION_METRICS);

    private static ApiFunction train(String name, int labelType) {
        return new ApiFunction(name, List.of(
                p("project_name", PgTypes.TEXT, null), p("task", PgTypes.TEXT, "NULL"), p("relation_name", PgTypes.TEXT, "NULL"),
                p("y_column_name", labelType, "NULL"), p("algorithm", PgTypes.TEXT, "'linear'"),
                p("hyperparams", PgTypes.JSONB, "'{}'"), p("search", PgTypes.TEXT, "NULL"), p("search_params", PgTypes.JSONB, "'{}'"),
                p("search_args", PgTypes.JSONB, "'{}'"), p("test_size", PgTypes.FLOAT4, "0.25"),
                p("test_sampling", PgTypes.TEXT, "'stratified'"), p("runtime", PgTypes.TEXT, "NULL"),
                p("automatic_deploy", PgTypes.BOOL, "true"), p("materialize_snapshot", PgTypes.BOOL, "false"),
                p("preprocess", PgTypes.JSONB, "'{}'")), PgTypes.UNKNOWN, true);
    }

    private static ApiFunction metric(String name, boolean withClasses) {
        List<ApiFunction.Parameter> params = new java.util.ArrayList<>(List.of(
                p("ground_truth", PgTypes.FLOAT4_ARRAY, null), p("y_hat", PgTypes.FLOAT4_ARRAY, null)));
        if (withClasses) {
            params.add(p("num_classes", PgTypes.INT8, null));
        }
        return new ApiFunction(name, params, withClasses || name.endsWith("metrics") ? PgTypes.JSONB : PgTypes.FLOAT4, false);
    }

    private static Map<String, ApiFunction> byName(ApiFunction... functions) {
        Map<String, ApiFunction> out = new java.util.HashMap<>();
        for (ApiFunction f : functions) {
            out.put(f.qualifiedName(), f);
        }
        return Map.copyOf(out);
    }

    private static ApiFunction.Parameter p(String name, int oid, String defaultSql) {
        return new ApiFunction.Parameter(name, oid, defaultSql, List.of());
    }

    public static ApiFunction find(String qualifiedName) {
        return FUNCTIONS.get(qualifiedName);
    }

    /** Every intercepted function (for the README's comparison with PostgresML's declarations). */
    public static java.util.Collection<ApiFunction> all() {
        return FUNCTIONS.values();
    }
}

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

    public static final ApiFunction TRAIN = new ApiFunction("pgml.train", List.of(
            p("project_name", PgTypes.TEXT, null), p("task", PgTypes.TEXT, "NULL"), p("relation_name", PgTypes.TEXT, "NULL"),
            p("y_column_name", PgTypes.TEXT, "NULL"), p("algorithm", PgTypes.TEXT, "'linear'"),
            p("hyperparams", PgTypes.JSONB, "'{}'"), p("search", PgTypes.TEXT, "NULL"), p("search_params", PgTypes.JSONB, "'{}'"),
            p("search_args", PgTypes.JSONB, "'{}'"), p("test_size", PgTypes.FLOAT4, "0.25"),
            p("test_sampling", PgTypes.TEXT, "'stratified'"), p("runtime", PgTypes.TEXT, "NULL"),
            p("automatic_deploy", PgTypes.BOOL, "true"), p("materialize_snapshot", PgTypes.BOOL, "false"),
            p("preprocess", PgTypes.JSONB, "'{}'")), PgTypes.UNKNOWN, true);

    public static final ApiFunction DEPLOY = new ApiFunction("pgml.deploy", List.of(
            new ApiFunction.Parameter("project_name", PgTypes.TEXT, null, List.of("model_id")),
            p("strategy", PgTypes.TEXT, "NULL"), p("algorithm", PgTypes.TEXT, "NULL")), PgTypes.UNKNOWN, true);

    public static final ApiFunction PREDICT = new ApiFunction("pgml.predict", List.of(
            new ApiFunction.Parameter("project_name", PgTypes.TEXT, null, List.of("model_id")),
            new ApiFunction.Parameter("features", PgTypes.FLOAT4_ARRAY, null, List.of("row"))), PgTypes.FLOAT4, false);

    public static final ApiFunction PREDICT_PROBA = new ApiFunction("pgml.predict_proba", List.of(
            new ApiFunction.Parameter("project_name", PgTypes.TEXT, null, List.of("model_id")),
            p("features", PgTypes.FLOAT4_ARRAY, null)), PgTypes.FLOAT4_ARRAY, false);

    private static final Map<String, ApiFunction> FUNCTIONS = Map.of(
            EMBED.qualifiedName(), EMBED,
            VERSION.qualifiedName(), VERSION,
            LOAD_DATASET.qualifiedName(), LOAD_DATASET,
            TRAIN.qualifiedName(), TRAIN,
            DEPLOY.qualifiedName(), DEPLOY,
            PREDICT.qualifiedName(), PREDICT,
            PREDICT_PROBA.qualifiedName(), PREDICT_PROBA);

    private static ApiFunction.Parameter p(String name, int oid, String defaultSql) {
        return new ApiFunction.Parameter(name, oid, defaultSql, List.of());
    }

    public static ApiFunction find(String qualifiedName) {
        return FUNCTIONS.get(qualifiedName);
    }
}

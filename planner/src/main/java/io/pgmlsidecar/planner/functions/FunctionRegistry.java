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

    private static final Map<String, ApiFunction> FUNCTIONS = Map.of(
            EMBED.qualifiedName(), EMBED,
            VERSION.qualifiedName(), VERSION);

    public static ApiFunction find(String qualifiedName) {
        return FUNCTIONS.get(qualifiedName);
    }
}

package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.strategy.SetFunctionTables;
import io.pgmlsidecar.planner.strategy.StrategyStatement;
import io.pgmlsidecar.planner.strategy.StreamingCall;
import io.pgmlsidecar.planner.transform.TransformCalls;
import io.pgmlsidecar.planner.values.PgTypes;
import java.util.ArrayList;
import java.util.List;

/**
 * pgml.transform (alone, and row by row over a query's rows) and pgml.transform_stream (alone:
 * rows streamed as generated; in other query shapes: two passes).
 */
final class TransformFunctions {
    private TransformFunctions() {}

    static void register(TransformCalls transforms, AloneForms alone, CallFunctions rowWise, SetCalls sets) {
        alone.add(FunctionRegistry.TRANSFORM, AloneForms.scalar(PgTypes.JSONB, true, transforms::transform));
        rowWise.add(FunctionRegistry.TRANSFORM, PgTypes.JSONB, transforms::transformRows);
        alone.add(FunctionRegistry.TRANSFORM_STREAM, (call, inFrom, name) -> new StrategyStatement(
                new StreamingCall(call, AloneForms.column(name, PgTypes.JSONB), PgTypes.JSONB, transforms::stream)));
        sets.add(FunctionRegistry.TRANSFORM_STREAM, new SetFunctionTables.Shape("transform_stream", List.of("transform_stream"),
                List.of("jsonb")), (s, a) -> {
                    List<String[]> rows = new ArrayList<>();
                    transforms.stream(s, a, v -> rows.add(new String[] {v}));
                    return rows;
                });
    }
}

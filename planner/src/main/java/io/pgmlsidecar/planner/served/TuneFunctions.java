package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.transform.TransformArguments;
import io.pgmlsidecar.planner.tune.Generations;
import io.pgmlsidecar.planner.tune.TuneActions;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.planner.values.PgTypes;
import java.util.List;

/**
 * pgml.tune → TABLE(status, task, algorithm, deployed), the first column holding the project name as in
 * PostgresML; pgml.generate on tuned generative projects.
 */
final class TuneFunctions {
    private TuneFunctions() {}

    static void register(TuneActions tune, Generations generations, AloneForms alone, CallFunctions rowWise) {
        alone.add(FunctionRegistry.TUNE, AloneForms.table(List.of(AloneForms.column("status", PgTypes.TEXT),
                AloneForms.column("task", PgTypes.TEXT), AloneForms.column("algorithm", PgTypes.TEXT),
                AloneForms.column("deployed", PgTypes.BOOL)), tune::tune));
        AloneForms.Form one = AloneForms.scalar(PgTypes.TEXT, true, (s, a) -> a.get(0) == null || a.get(1) == null ? null
                : generations.generate(s, a.get(0), List.of(a.get(1)), TransformArguments.args(a.get(2))).get(0));
        AloneForms.Form many = AloneForms.scalar(PgTypes.TEXT_ARRAY, true, (s, a) -> a.get(0) == null || a.get(1) == null ? null
                : TextArrays.toText(generations.generate(s, a.get(0), TextArrays.parse(a.get(1)), TransformArguments.args(a.get(2)))));
        // the text[] overload answers text[]: told apart by the argument's form
        alone.add(FunctionRegistry.GENERATE, (call, inFrom, name) -> (call.arguments().get(1).looksLikeArray() ? many : one)
                .plan(call, inFrom, name));
        rowWise.add(FunctionRegistry.GENERATE, PgTypes.TEXT, AloneForms.rowWise((s, a) -> a.get(0) == null || a.get(1) == null ? null
                : generations.generate(s, a.get(0), List.of(a.get(1)), TransformArguments.args(a.get(2))).get(0)));
    }
}

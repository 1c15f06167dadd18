package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.planner.strategy.SetFunctionTables;
import io.pgmlsidecar.planner.strategy.TwoPassSetCalls;
import java.util.HashMap;
import java.util.Map;

/** Set-returning functions that are also served with row-dependent arguments, in two passes. */
public final class SetCalls {

    /** How one function is served in two passes. */
    public record Served(SetFunctionTables tables, TwoPassSetCalls.Rows rows) {}

    private final Map<ApiFunction, Served> functions = new HashMap<>();

    SetCalls add(ApiFunction function, SetFunctionTables.Shape shape, TwoPassSetCalls.Rows rows) {
        functions.put(function, new Served(new SetFunctionTables(shape), rows));
        return this;
    }

    public Served find(ApiFunction function) {
        return functions.get(function);
    }
}

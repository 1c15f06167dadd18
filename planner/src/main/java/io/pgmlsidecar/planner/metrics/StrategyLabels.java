package io.pgmlsidecar.planner.metrics;

import io.pgmlsidecar.planner.strategy.Strategy;
import io.pgmlsidecar.planner.strategy.StrategyStatement;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import java.util.Map;

/** The DESIGN.md name (S0 … S4) of the strategy a served statement runs, for metrics and logs. */
public final class StrategyLabels {
    private StrategyLabels() {}

    private static final Map<String, String> BY_CLASS = Map.ofEntries(
            Map.entry("CallAlone", "S0"), Map.entry("TableCall", "S0"), Map.entry("StreamingCall", "S0"),
            Map.entry("ConstantSplice", "S1"),
            Map.entry("SelectListCalls", "S2"),
            Map.entry("UpdateWithCalls", "S3"), Map.entry("WriteFromSelect", "S3"),
            Map.entry("StagedCalls", "S4"), Map.entry("SubqueryCalls", "S4"), Map.entry("TwoPassSetCalls", "S4"),
            Map.entry("ExplainStaged", "S4"));

    public static String of(InterceptedStatement statement) {
        if (statement instanceof StrategyStatement s) {
            return of(s.strategy());
        }
        if (statement.getClass().getSimpleName().equals("MultiStatementQuery")) {
            return "multi";
        }
        return "other";
    }

    static String of(Strategy strategy) {
        String label = BY_CLASS.get(strategy.getClass().getSimpleName());
        if (label != null) {
            return label;
        }
        // SQL-level PREPARE / EXECUTE / DEALLOCATE kept by the sidecar (decision 19)
        return strategy.getClass().getEnclosingClass() != null
                && strategy.getClass().getEnclosingClass().getSimpleName().equals("SqlPrepare") ? "prepared" : "other";
    }
}

package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code EXPLAIN [ANALYZE] …} of a statement with row-dependent calls: the sidecar's part (the
 * general strategy, its calls, batch size, passes; with ANALYZE the tuples computed, model calls
 * and model time) above PostgreSQL's plan of the statement as it runs. ANALYZE runs the statement,
 * as PostgreSQL's does. Other output formats than text carry PostgreSQL's plan alone.
 */
public final class ExplainStaged implements Strategy {

    private final StagedCalls staged;
    private final String options;
    private final boolean analyze;
    private final boolean text;

    public ExplainStaged(StagedCalls staged, String options, boolean analyze, boolean text) {
        this.staged = staged;
        this.options = options;
        this.analyze = analyze;
        this.text = text;
    }

    private String explainSql() {
        return "EXPLAIN " + options + " " + staged.servingSql();
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        StatementInfo inner = staged.describe(session, declared);
        StatementInfo info = session.backend().prepare("", explainSql(), staged.parameterOids());
        return new StatementInfo(inner.parameterTypeOids(), info.columns());
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        long t0 = System.nanoTime();
        if (analyze) {
            staged.collectAndCompute(session, parameters);
        }
        long sidecarNanos = System.nanoTime() - t0;
        session.backend().prepare("", explainSql(), staged.parameterOids());
        session.backend().bind("", "", parameters.formats(), parameters.values(), resultFormats);
        List<String> lines = text ? sidecarLines(sidecarNanos) : List.of();
        return new Execution() {
            private boolean headerSent;

            @Override
            public String fetch(SessionContext s, int maxRows) {
                if (!headerSent) {
                    headerSent = true;
                    for (String line : lines) {
                        s.client().dataRow(new byte[][] {line.getBytes(StandardCharsets.UTF_8)});
                    }
                }
                return s.backend().execute("", maxRows, BackendSteps.toClient(s));
            }
        };
    }

    private List<String> sidecarLines(long sidecarNanos) {
        Map<String, Integer> sites = new LinkedHashMap<>();
        for (ResolvedCall c : staged.calls()) {
            sites.merge(c.function().qualifiedName(), 1, Integer::sum);
        }
        List<String> lines = new ArrayList<>();
        lines.add("pgml-sidecar Staged Calls (collect argument tuples, compute in batches, answer from the session's table)");
        StringBuilder calls = new StringBuilder("  Calls:");
        sites.forEach((name, n) -> calls.append(' ').append(name).append(" (").append(n).append(n == 1 ? " site)" : " sites)"));
        lines.add(calls.toString());
        lines.add("  Batch Size: " + staged.batchRows() + " argument tuples per model call");
        if (staged.collectsDirectly()) {
            lines.add("  Collect: SELECT DISTINCT of the arguments over the FROM table, streamed (one query per call)");
            String pushdown = staged.pushdown();
            if (pushdown != null) {
                lines.add("  Decided While Computing: " + pushdown);
            }
        } else {
            lines.add("  Collecting Passes: " + staged.maxDepth() + (staged.verifies() ? ", then again until one finds nothing new" : ""));
        }
        if (analyze) {
            StagedCalls.Stats st = staged.stats();
            lines.add(String.format(java.util.Locale.ROOT, "  Passes Run: %d  Argument Tuples Computed: %d  Results Stored: %d  Model Calls: %d"
                    + "  Model Time: %.3f ms  Sidecar Time: %.3f ms", st.passes, st.computed, st.stored, st.modelCalls, st.modelNanos / 1e6,
                    sidecarNanos / 1e6));
        }
        return lines;
    }
}

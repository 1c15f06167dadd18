package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.List;

/**
 * S2: row-dependent calls that are whole items of the top-level SELECT list. PostgreSQL runs the
 * query with each call replaced by an array of its argument values; the sidecar streams the
 * rows in chunks (a suspended portal, so memory stays bounded), runs the model once per chunk
 * and replaces those columns with the results.
 */
public final class SelectListCalls implements Strategy {

    /**
     * A call, the name PostgreSQL gives its column (the alias, else the function's name) and where
     * the column is: counted from the start, or (after a *) from the end.
     */
    public record Target(ResolvedCall call, String name, int fromStart, int fromEnd) {}

    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    private final String carrierSql;
    private final List<Target> targets;
    private final CallFunctions functions;
    private int[] parameterOids;
    private int[] columnIndexes;

    public SelectListCalls(String sql, List<Target> targets, CallFunctions functions) {
        this.carrierSql = Splice.replaceCalls(sql, targets.stream().map(Target::call).toList(), Splice::carrier);
        this.targets = targets;
        this.functions = functions;
    }

    String carrierSql() {
        return carrierSql;
    }

    /** The calls in carrier-column order. */
    List<ResolvedCall> carrierCalls() {
        return targets.stream().map(Target::call).toList();
    }

    /** Indexes of the carrier columns; known after {@link #describe}. */
    int[] columnIndexes() {
        return columnIndexes;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        int[] oids = ParameterTypes.forCalls(declared, targets.stream().map(Target::call).toList());
        StatementInfo info = session.backend().prepare("", carrierSql, oids);
        parameterOids = info.parameterTypeOids();
        List<Column> columns = new ArrayList<>(info.columns());
        columnIndexes = new int[targets.size()];
        for (int t = 0; t < targets.size(); t++) {
            Target target = targets.get(t);
            int i = target.fromStart() >= 0 ? target.fromStart() : columns.size() - 1 - target.fromEnd();
            columnIndexes[t] = i;
            columns.set(i, Column.computed(target.name(), functions.typeOid(target.call()),
                    io.pgmlsidecar.planner.values.ResultValues.typeSize(functions.typeOid(target.call()))));
        }
        return new StatementInfo(info.parameterTypeOids(), columns);
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        BackendClient backend = session.backend();
        // a named statement and portal: the functions may run their own queries (a registry look-up)
        // between chunks, which would replace the unnamed ones
        String name = "pgml_sidecar_select_" + SEQUENCE.incrementAndGet();
        backend.prepare(name, carrierSql, parameterOids);
        short[] formats = resultFormats.clone();
        for (int i : columnIndexes) {
            formats[i] = 0; // the carrier arrays are read as text
        }
        backend.bind(name, name, parameters.formats(), parameters.values(), formats);
        return new Execution() {
            @Override
            public String fetch(SessionContext s, int maxRows) {
                return fetchChunks(s, name, maxRows, resultFormats);
            }

            @Override
            public void close(SessionContext s) {
                s.backend().close((byte) 'P', name);
                s.backend().close((byte) 'S', name);
            }
        };
    }

    private String fetchChunks(SessionContext s, String portal, int maxRows, short[] resultFormats) {
        while (true) {
            List<byte[][]> rows = new ArrayList<>();
            String tag = s.backend().execute(portal, maxRows > 0 ? maxRows : io.pgmlsidecar.planner.BatchSizes.selectRows(), BackendSteps.collect(rows));
            replaceCarriers(s, rows, resultFormats);
            for (byte[][] row : rows) {
                s.client().dataRow(row);
            }
            if (tag != null || maxRows > 0) {
                return tag;
            }
        }
    }

    private void replaceCarriers(SessionContext session, List<byte[][]> rows, short[] resultFormats) {
        for (int t = 0; t < columnIndexes.length; t++) {
            int column = columnIndexes[t];
            List<String[]> args = new ArrayList<>(rows.size());
            for (byte[][] row : rows) {
                byte[] carrier = row[column];
                List<String> values = carrier == null ? null
                        : TextArrays.parse(new String(carrier, java.nio.charset.StandardCharsets.UTF_8));
                args.add(values == null ? new String[targets.get(t).call().function().parameters().size()] : values.toArray(new String[0]));
            }
            Object[] results = functions.apply(session, targets.get(t).call(), args);
            for (int r = 0; r < rows.size(); r++) {
                rows.get(r)[column] = functions.encode(targets.get(t).call(), results[r], resultFormats[column]);
            }
        }
    }
}

package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A temporary table {@code (row_ctid tid, v0 real[], v1 …)} that holds API call results keyed by
 * the ctid of the row they belong to, filled chunk by chunk from a portal that yields
 * {@code ctid::text} followed by one argument carrier per call. Dropped at commit at the latest.
 */
final class VectorStaging {

    static final int CHUNK_ROWS = 512;
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final String name = "pgml_sidecar_stage_" + SEQUENCE.incrementAndGet();
    private final List<ResolvedCall> callList;
    private final int calls;
    private final CallFunctions functions;

    VectorStaging(List<ResolvedCall> calls, CallFunctions functions) {
        this.callList = calls;
        this.calls = calls.size();
        this.functions = functions;
    }

    String name() {
        return name;
    }

    void create(BackendClient backend) {
        StringBuilder columns = new StringBuilder("row_ctid tid");
        for (int k = 0; k < calls; k++) {
            columns.append(", v").append(k).append(' ').append(functions.sqlType(callList.get(k)));
        }
        BackendSteps.run(backend, "CREATE TEMPORARY TABLE " + name + " (" + columns + ") ON COMMIT DROP");
    }

    /**
     * Runs {@code readSql} (a query yielding {@code ctid::text} then one carrier per call) through a
     * named portal, in chunks, running the model per chunk, into the staging table.
     */
    void fillFrom(SessionContext session, String readSql, int[] parameterOids, BoundParameters parameters) {
        BackendClient backend = session.backend();
        String reader = name + "_read";
        backend.prepare(reader, readSql, parameterOids);
        backend.bind(reader, reader, parameters.formats(), parameters.values(), new short[0]);
        fill(session, reader);
        backend.close((byte) 'P', reader);
        backend.close((byte) 'S', reader);
    }

    private void fill(SessionContext session, String portal) {
        BackendClient backend = session.backend();
        String insert = insertStatement();
        while (true) {
            List<byte[][]> rows = new ArrayList<>();
            String tag = backend.execute(portal, CHUNK_ROWS, BackendSteps.collect(rows));
            if (session.cancelRequested()) {
                throw new PgException("57014", "canceling statement due to user request", null);
            }
            if (!rows.isEmpty()) {
                stage(session, insert, rows);
            }
            if (tag != null) {
                return;
            }
        }
    }

    void drop(BackendClient backend) {
        BackendSteps.run(backend, "DROP TABLE " + name);
    }

    private String insertStatement() {
        StringBuilder cols = new StringBuilder("u.c::tid");
        StringBuilder params = new StringBuilder("$1::text[]");
        StringBuilder names = new StringBuilder("c");
        for (int k = 0; k < calls; k++) {
            cols.append(", u.v").append(k).append("::").append(functions.sqlType(callList.get(k)));
            params.append(", $").append(k + 2).append("::text[]");
            names.append(", v").append(k);
        }
        return "INSERT INTO " + name + " SELECT " + cols + " FROM unnest(" + params + ") AS u(" + names + ")";
    }

    private void stage(SessionContext session, String insert, List<byte[][]> rows) {
        List<String> ctids = new ArrayList<>(rows.size());
        for (byte[][] row : rows) {
            ctids.add(new String(row[0], StandardCharsets.UTF_8));
        }
        byte[][] values = new byte[1 + calls][];
        values[0] = TextArrays.toText(ctids).getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < calls; k++) {
            List<String[]> args = new ArrayList<>(rows.size());
            for (byte[][] row : rows) {
                byte[] carrier = row[k + 1];
                List<String> a = carrier == null ? null : TextArrays.parse(new String(carrier, StandardCharsets.UTF_8));
                args.add(a == null ? new String[3] : a.toArray(new String[0]));
            }
            List<String> texts = new ArrayList<>(rows.size());
            for (Object v : functions.apply(session, callList.get(k), args)) {
                texts.add(functions.text(v));
            }
            values[k + 1] = TextArrays.toText(texts).getBytes(StandardCharsets.UTF_8);
        }
        int[] oids = new int[values.length];
        Arrays.fill(oids, PgTypes.TEXT_ARRAY);
        BackendSteps.run(session.backend(), insert, new BoundParameters(oids, new short[values.length], values));
    }
}

package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import java.util.List;

/** Small helpers over the backend's extended steps, which keep the current exchange open. */
public final class BackendSteps {
    private BackendSteps() {}

    /** Runs one statement through the unnamed statement and portal; returns its command tag. */
    public static String run(BackendClient backend, String statement, BoundParameters p) {
        return run(backend, statement, p, new java.util.ArrayList<>());
    }

    /** As {@link #run(BackendClient, String, BoundParameters)}, adding the rows (in text) to {@code rows}. */
    public static String run(BackendClient backend, String statement, BoundParameters p, List<byte[][]> rows) {
        for (short f : p.formats()) {
            if (f != 0) {
                backend.prepare("", statement, p.typeOids());
                backend.bind("", "", p.formats(), p.values(), new short[0]);
                return backend.execute("", 0, collect(rows));
            }
        }
        return backend.step(statement, p.typeOids(), p.values(), collect(rows));
    }

    /** Runs one statement with text parameters and returns its rows as text (null = SQL NULL). */
    public static List<String[]> query(BackendClient backend, String statement, Object... parameters) {
        int[] oids = new int[parameters.length];
        byte[][] values = new byte[parameters.length][];
        for (int i = 0; i < parameters.length; i++) {
            values[i] = parameters[i] == null ? null : parameters[i].toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        List<byte[][]> rows = new java.util.ArrayList<>();
        backend.step(statement, oids, values, collect(rows));
        List<String[]> out = new java.util.ArrayList<>(rows.size());
        for (byte[][] r : rows) {
            String[] t = new String[r.length];
            for (int i = 0; i < r.length; i++) {
                t[i] = r[i] == null ? null : new String(r[i], java.nio.charset.StandardCharsets.UTF_8);
            }
            out.add(t);
        }
        return out;
    }

    public static String run(BackendClient backend, String statement) {
        return run(backend, statement, BoundParameters.NONE);
    }

    public static BackendClient.RowSink collect(List<byte[][]> rows) {
        return new BackendClient.RowSink() {
            @Override
            public void columns(List<Column> columns) {}

            @Override
            public void row(byte[][] values) {
                rows.add(values);
            }
        };
    }

    /** Writes each row to the client as it comes. */
    static BackendClient.RowSink toClient(io.pgmlsidecar.proxy.intercept.SessionContext session) {
        return new BackendClient.RowSink() {
            @Override
            public void columns(List<Column> columns) {}

            @Override
            public void row(byte[][] values) {
                session.client().dataRow(values);
            }
        };
    }
}

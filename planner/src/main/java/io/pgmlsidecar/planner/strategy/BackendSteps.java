package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import java.util.List;

/** Small helpers over the backend's extended steps, which keep the current exchange open. */
final class BackendSteps {
    private BackendSteps() {}

    /** Runs one statement through the unnamed statement and portal; returns its command tag. */
    static String run(BackendClient backend, String statement, BoundParameters p) {
        backend.prepare("", statement, p.typeOids());
        backend.bind("", "", p.formats(), p.values(), new short[0]);
        return backend.execute("", 0, collect(new java.util.ArrayList<>()));
    }

    static String run(BackendClient backend, String statement) {
        return run(backend, statement, BoundParameters.NONE);
    }

    static BackendClient.RowSink collect(List<byte[][]> rows) {
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

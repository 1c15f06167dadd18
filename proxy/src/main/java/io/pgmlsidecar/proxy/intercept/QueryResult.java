package io.pgmlsidecar.proxy.intercept;

import io.pgmlsidecar.proxy.codec.Column;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Rows of a statement the interceptor ran, text format; {@code columns} is empty for NoData. */
public record QueryResult(List<Column> columns, List<byte[][]> rows, String commandTag) {

    public String text(int row, int column) {
        byte[] v = rows.get(row)[column];
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }
}

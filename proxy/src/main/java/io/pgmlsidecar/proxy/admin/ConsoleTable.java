package io.pgmlsidecar.proxy.admin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A result set of the admin console: column names and rows of text (null is SQL NULL). */
public record ConsoleTable(List<String> columns, List<List<String>> rows) {

    public ConsoleTable {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    public static Builder of(String... columns) {
        return new Builder(Arrays.asList(columns));
    }

    /** Collects rows; each value is turned into text with {@link String#valueOf}, null kept as NULL. */
    public static final class Builder {
        private final List<String> columns;
        private final List<List<String>> rows = new ArrayList<>();

        private Builder(List<String> columns) {
            this.columns = columns;
        }

        public Builder row(Object... values) {
            if (values.length != columns.size()) {
                throw new IllegalArgumentException("row of " + values.length + " values for " + columns.size() + " columns");
            }
            List<String> row = new ArrayList<>(values.length);
            for (Object v : values) {
                row.add(v == null ? null : String.valueOf(v));
            }
            rows.add(row);
            return this;
        }

        public ConsoleTable build() {
            return new ConsoleTable(columns, rows);
        }
    }
}

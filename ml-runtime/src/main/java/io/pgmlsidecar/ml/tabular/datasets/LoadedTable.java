package io.pgmlsidecar.ml.tabular.datasets;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A table for pgml.load_dataset: the qualified table name (e.g. {@code pgml.iris}), the columns, and the
 * rows as Java values matching the column types (Float for FLOAT4, Double for FLOAT8, Short/Integer/Long,
 * Boolean, String for TEXT and JSONB, short[][] for SMALLINT[][]; null for NULL).
 */
public record LoadedTable(String tableName, List<ColumnDef> columns, List<Object[]> rows) {
    /** {@code CREATE TABLE <name> (<columns>)}. */
    public String createTableSql() {
        return "CREATE TABLE " + tableName + " (" + columns.stream().map(ColumnDef::ddl).collect(Collectors.joining(", ")) + ")";
    }

    /** {@code DROP TABLE IF EXISTS <name>}: PostgresML drops and recreates the table. */
    public String dropTableSql() {
        return "DROP TABLE IF EXISTS " + tableName;
    }

    public int rowCount() {
        return rows.size();
    }
}

package io.pgmlsidecar.ml.tabular.datasets;

/** A column of a table that load_dataset creates: its name and PostgreSQL type (e.g. FLOAT4, SMALLINT[][]). */
public record ColumnDef(String name, String pgType) {
    /** The column as it appears in CREATE TABLE (identifier quoted when it needs to be). */
    public String ddl() {
        return PgmlDatasets.quoteIdent(name) + " " + pgType;
    }
}

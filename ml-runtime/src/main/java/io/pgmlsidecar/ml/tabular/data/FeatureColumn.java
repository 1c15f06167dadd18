package io.pgmlsidecar.ml.tabular.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * A feature column as the relation has it. {@code array} columns (e.g. {@code image smallint[][]})
 * are flattened into {@code width} numeric features; every non-NULL row must have the same length.
 */
public record FeatureColumn(String name, ColumnType type, boolean array) implements Serializable {
    public FeatureColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (array && type == ColumnType.CATEGORICAL) {
            throw new IllegalArgumentException("array columns of text are not supported: " + name);
        }
    }

    public static FeatureColumn numeric(String name) {
        return new FeatureColumn(name, ColumnType.NUMERIC, false);
    }

    public static FeatureColumn categorical(String name) {
        return new FeatureColumn(name, ColumnType.CATEGORICAL, false);
    }

    public static FeatureColumn numericArray(String name) {
        return new FeatureColumn(name, ColumnType.NUMERIC, true);
    }

    /**
     * The column type PostgreSQL reports, mapped as PostgresML does: text/varchar/bpchar/char/name
     * are categorical; bool, int2/4/8, float4/8, numeric (and arrays of them) numeric.
     */
    public static FeatureColumn ofPgType(String name, String pgType) {
        String t = pgType.trim().toLowerCase(java.util.Locale.ROOT);
        boolean arr = t.endsWith("[]") || t.startsWith("_");
        String base = t.replace("[]", "").replaceFirst("^_", "");
        return switch (base) {
            case "text", "varchar", "character varying", "bpchar", "character", "char", "name", "citext" -> {
                if (arr) {
                    throw new io.pgmlsidecar.ml.tabular.TabularException(
                            "column \"" + name + "\" has type " + pgType + "; arrays of text are not supported as features");
                }
                yield categorical(name);
            }
            case "bool", "boolean", "int2", "smallint", "int4", "integer", "int", "int8", "bigint", "float4", "real",
                 "float8", "double precision", "numeric", "decimal" -> new FeatureColumn(name, ColumnType.NUMERIC, arr);
            default -> throw new io.pgmlsidecar.ml.tabular.TabularException(
                    "column \"" + name + "\" has type " + pgType + ", which cannot be used as a feature",
                    "supported types: bool, smallint, integer, bigint, real, double precision, numeric, text, varchar, char, and arrays of the numeric types");
        };
    }
}

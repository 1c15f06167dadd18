package io.pgmlsidecar.planner.values;

/** OIDs of the built-in types the API uses. */
public final class PgTypes {
    private PgTypes() {}

    public static final int UNKNOWN = 0;
    public static final int BOOL = 16;
    public static final int BYTEA = 17;
    public static final int NAME = 19;
    public static final int INT8 = 20;
    public static final int INT4 = 23;
    public static final int TEXT = 25;
    public static final int JSON = 114;
    public static final int FLOAT4 = 700;
    public static final int FLOAT8 = 701;
    public static final int FLOAT4_ARRAY = 1021;
    public static final int TEXT_ARRAY = 1009;
    public static final int VARCHAR_ARRAY = 1015;
    public static final int BPCHAR = 1042;
    public static final int VARCHAR = 1043;
    public static final int JSONB = 3802;
    public static final int JSONB_ARRAY = 3807;

    /** typname of built-in types, whose OIDs are fixed in every PostgreSQL release (pg_type.dat). */
    private static final java.util.Map<Integer, String> BUILTIN_NAMES = java.util.Map.ofEntries(
            java.util.Map.entry(16, "bool"), java.util.Map.entry(17, "bytea"), java.util.Map.entry(18, "char"),
            java.util.Map.entry(19, "name"), java.util.Map.entry(20, "int8"), java.util.Map.entry(21, "int2"),
            java.util.Map.entry(23, "int4"), java.util.Map.entry(25, "text"), java.util.Map.entry(26, "oid"),
            java.util.Map.entry(114, "json"), java.util.Map.entry(700, "float4"), java.util.Map.entry(701, "float8"),
            java.util.Map.entry(1042, "bpchar"), java.util.Map.entry(1043, "varchar"), java.util.Map.entry(1082, "date"),
            java.util.Map.entry(1114, "timestamp"), java.util.Map.entry(1184, "timestamptz"), java.util.Map.entry(1700, "numeric"),
            java.util.Map.entry(2950, "uuid"), java.util.Map.entry(3802, "jsonb"), java.util.Map.entry(1000, "_bool"),
            java.util.Map.entry(1005, "_int2"), java.util.Map.entry(1007, "_int4"), java.util.Map.entry(1009, "_text"),
            java.util.Map.entry(1014, "_bpchar"), java.util.Map.entry(1015, "_varchar"), java.util.Map.entry(1016, "_int8"),
            java.util.Map.entry(1021, "_float4"), java.util.Map.entry(1022, "_float8"), java.util.Map.entry(1231, "_numeric"));

    /** The typname of a built-in type, or null for any other OID (a user's enum, domain, extension type…). */
    public static String builtinName(int oid) {
        return BUILTIN_NAMES.get(oid);
    }

    public static boolean isTextLike(int oid) {
        return oid == TEXT || oid == VARCHAR || oid == NAME || oid == BPCHAR || oid == UNKNOWN;
    }

    public static boolean isTextArray(int oid) {
        return oid == TEXT_ARRAY || oid == VARCHAR_ARRAY;
    }
}

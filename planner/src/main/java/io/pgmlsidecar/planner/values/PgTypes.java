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

    public static boolean isTextLike(int oid) {
        return oid == TEXT || oid == VARCHAR || oid == NAME || oid == BPCHAR || oid == UNKNOWN;
    }

    public static boolean isTextArray(int oid) {
        return oid == TEXT_ARRAY || oid == VARCHAR_ARRAY;
    }
}

package io.pgmlsidecar.proxy.codec;

/** One field of a RowDescription. */
public record Column(String name, int tableOid, short columnNumber, int typeOid, short typeSize,
                     int typeModifier, short format) {

    public static Column computed(String name, int typeOid, short typeSize) {
        return new Column(name, 0, (short) 0, typeOid, typeSize, -1, (short) 0);
    }

    public Column withFormat(short newFormat) {
        return new Column(name, tableOid, columnNumber, typeOid, typeSize, typeModifier, newFormat);
    }
}

package io.pgmlsidecar.ml.tune;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Minimal protobuf encoder: varints, length-delimited fields and fixed32 floats, for ONNX messages. */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    ProtoWriter varintField(int field, long value) {
        writeVarint(out, (long) field << 3 | VARINT);
        writeVarint(out, value);
        return this;
    }

    ProtoWriter bytesField(int field, byte[] value) {
        writeVarint(out, (long) field << 3 | LEN);
        writeVarint(out, value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter stringField(int field, String value) {
        return bytesField(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter messageField(int field, ProtoWriter message) {
        return bytesField(field, message.toByteArray());
    }

    ProtoWriter floatField(int field, float value) {
        writeVarint(out, (long) field << 3 | FIXED32);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    static void writeVarint(OutputStream o, long v) {
        try {
            while ((v & ~0x7FL) != 0) {
                o.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            o.write((int) v);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}

package io.pgmlsidecar.ml.tune;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Minimal streaming protobuf decoder: reads field headers and either skips, copies or returns field
 * bodies, so a large message (an ONNX model of hundreds of MB) passes through without being held in memory.
 */
final class ProtoReader {
    private final InputStream in;
    private long position;
    /** The raw bytes of the last header read, so that copies are byte-exact. */
    private final java.io.ByteArrayOutputStream tagBytes = new java.io.ByteArrayOutputStream(10);

    ProtoReader(InputStream in) {
        this.in = in;
    }

    static ProtoReader of(byte[] message) {
        return new ProtoReader(new ByteArrayInputStream(message));
    }

    long position() {
        return position;
    }

    /** The next field header {@code field << 3 | wireType}, or -1 at the end of the stream. */
    long nextTag() throws IOException {
        int b = in.read();
        if (b < 0) return -1;
        position++;
        tagBytes.reset();
        tagBytes.write(b);
        long result = b & 0x7F;
        int shift = 7;
        while ((b & 0x80) != 0) {
            b = readByte();
            tagBytes.write(b);
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
        }
        return result;
    }

    long readVarint() throws IOException {
        long result = 0;
        int shift = 0, b;
        do {
            b = readByte();
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return result;
    }

    byte[] readBytes(long length) throws IOException {
        byte[] b = in.readNBytes(Math.toIntExact(length));
        if (b.length != length) throw new EOFException("truncated protobuf field");
        position += length;
        return b;
    }

    String readString(long length) throws IOException {
        return new String(readBytes(length), StandardCharsets.UTF_8);
    }

    /** Skips the body of a field with the given wire type (its header already read). */
    void skipBody(int wireType) throws IOException {
        switch (wireType) {
            case ProtoWriter.VARINT -> readVarint();
            case ProtoWriter.FIXED64 -> skip(8);
            case ProtoWriter.LEN -> skip(readVarint());
            case ProtoWriter.FIXED32 -> skip(4);
            default -> throw new IOException("unsupported protobuf wire type " + wireType);
        }
    }

    /** Copies the field whose header {@code tag} was just read by {@link #nextTag}, byte for byte. */
    void copyField(long tag, OutputStream out) throws IOException {
        tagBytes.writeTo(out);
        int wireType = (int) (tag & 7);
        switch (wireType) {
            case ProtoWriter.VARINT -> copyVarint(out);
            case ProtoWriter.FIXED64 -> out.write(readBytes(8));
            case ProtoWriter.FIXED32 -> out.write(readBytes(4));
            case ProtoWriter.LEN -> {
                copy(copyVarint(out), out);
            }
            default -> throw new IOException("unsupported protobuf wire type " + wireType);
        }
    }

    /** Copies a varint byte for byte (an encoder may have padded it; sizes must not change). */
    private long copyVarint(OutputStream out) throws IOException {
        long result = 0;
        int shift = 0, b;
        do {
            b = readByte();
            out.write(b);
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return result;
    }

    void copy(long length, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) throw new EOFException("truncated protobuf field");
            out.write(buf, 0, n);
            left -= n;
        }
        position += length;
    }

    void skip(long length) throws IOException {
        in.skipNBytes(length);
        position += length;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) throw new EOFException("truncated protobuf varint");
        position++;
        return b;
    }
}

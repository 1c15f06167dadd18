package io.pgmlsidecar.ml.tabular;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ForkJoinPool;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Compresses a byte array as independent zlib streams, one per part, deflated in parallel: a model's
 * bytes are compressed on the critical path of every pgml.train (~7 ms for a 0.9 MB booster on one
 * core). Layout: part count (int), then per part its length (int) and its zlib stream; the parts
 * inflate back to back into the original bytes.
 */
final class ChunkedDeflate {
    private ChunkedDeflate() {
    }

    /** Below this many bytes per part a part is not worth a thread. */
    static final int MIN_PART_BYTES = 256 * 1024;

    /** Parts for {@code length} bytes: one per core, each at least {@link #MIN_PART_BYTES}. */
    static int parts(int length) {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), length / MIN_PART_BYTES));
    }

    /** Appends {@code raw} to {@code out} in {@code parts} parts, the first ones deflated on the common pool. */
    static void write(byte[] raw, int parts, DataOutputStream out) throws IOException {
        int size = (raw.length + parts - 1) / Math.max(1, parts);
        List<CompletableFuture<byte[]>> others = new ArrayList<>();
        for (int p = 0; p + 1 < parts; p++) {
            int from = p * size;
            others.add(CompletableFuture.supplyAsync(() -> deflate(raw, from, Math.min(raw.length, from + size)), ForkJoinPool.commonPool()));
        }
        byte[] last = deflate(raw, Math.min(raw.length, (parts - 1) * size), raw.length);
        out.writeInt(parts);
        try {
            for (CompletableFuture<byte[]> f : others) {
                byte[] b = f.join();
                out.writeInt(b.length);
                out.write(b);
            }
        } catch (CompletionException e) {
            throw new IOException("deflate failed: " + e.getCause(), e.getCause());
        }
        out.writeInt(last.length);
        out.write(last);
    }

    /** The original bytes as a stream, reading {@link #write}'s layout from {@code in}. */
    static InputStream read(DataInputStream in) throws IOException {
        int parts = in.readInt();
        if (parts < 1 || parts > 4096) {
            throw new IOException("bad part count " + parts);
        }
        List<InputStream> streams = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int length = in.readInt();
            if (length < 0) {
                throw new IOException("bad part length " + length);
            }
            streams.add(new InflaterInputStream(new ByteArrayInputStream(in.readNBytes(length)), new Inflater(), 64 * 1024) {
                @Override
                public void close() throws IOException {
                    super.close();
                    inf.end(); // an Inflater passed in is not ended by close
                }
            });
        }
        return new SequenceInputStream(Collections.enumeration(streams));
    }

    /** Fastest level: the stored size differs from the default level's by a few percent. */
    private static byte[] deflate(byte[] raw, int from, int to) {
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
            d.setInput(raw, from, to - from);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, (to - from) / 4));
            byte[] buffer = new byte[64 * 1024];
            while (!d.finished()) {
                out.write(buffer, 0, d.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }
}

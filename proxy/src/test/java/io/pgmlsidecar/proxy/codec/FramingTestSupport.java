package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Message builders and a scriptable classifier for the framing tests. */
final class FramingTestSupport {
    private FramingTestSupport() {}

    /** Attention for the listed types; records what it was asked and what it observed. */
    static class TestClassifier implements MessageClassifier {
        final Set<Character> attention;
        final List<Character> observed = new ArrayList<>();
        final List<Character> askedWhole = new ArrayList<>();

        TestClassifier(Character... attention) {
            this.attention = Set.of(attention);
        }

        @Override
        public boolean mayNeedAttention(byte type) {
            return attention.contains((char) type);
        }

        @Override
        public boolean needsAttention(byte type, ByteBuf frame, int start, int frameLength) {
            askedWhole.add((char) type);
            if (frame.getByte(start) != type || frame.getInt(start + 1) != frameLength - 1) {
                throw new AssertionError("needsAttention was not given the whole frame at its start");
            }
            return attention.contains((char) type);
        }

        @Override
        public void observe(byte type) {
            observed.add((char) type);
        }
    }

    static byte[] typed(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }

    static byte[] typed(char type, String cstringBody) {
        return typed(type, cstr(cstringBody));
    }

    static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] sync() {
        return typed('S', new byte[0]);
    }

    static ByteBuf buf(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes);
    }

    /** Everything the channel passed on, in order; relay chunks and frames copied out and released. */
    static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    /** Closes a channel whose decoder failed: closing re-runs the decoder on the bad bytes left. */
    static void closeAfterViolation(EmbeddedChannel ch) {
        try {
            ch.finishAndReleaseAll();
        } catch (io.netty.handler.codec.DecoderException expected) {
            ch.releaseInbound();
        }
    }

    static byte[] bytesOf(RelayChunk c) {
        try {
            return ByteBufUtil.getBytes(c.bytes());
        } finally {
            c.bytes().release();
        }
    }

    static byte[] bytesOf(PgMessage m) {
        try {
            return ByteBufUtil.getBytes(m.frame());
        } finally {
            m.frame().release();
        }
    }
}

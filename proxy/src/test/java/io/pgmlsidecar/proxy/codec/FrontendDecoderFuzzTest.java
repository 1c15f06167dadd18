package io.pgmlsidecar.proxy.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

/**
 * Coverage-guided fuzzing (Jazzer) of the client-side decoder: any bytes, in any split into reads, end as decoded
 * startup packets, messages and relay chunks, or as a {@link ProtocolViolation} — never another exception, and never
 * more bytes out than came in. Without {@code JAZZER_FUZZ=1} this replays the inputs under
 * {@code src/test/resources/io/pgmlsidecar/proxy/codec/FrontendDecoderFuzzTestInputs/}; with it, it fuzzes for
 * {@code maxDuration} and saves crashing inputs there.
 */
class FrontendDecoderFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyBytesDecodeOrFailWithAProtocolViolation(FuzzedDataProvider data) {
        FramingTestSupport.TestClassifier classifier = new FramingTestSupport.TestClassifier('Q', 'P', 'B', 'E');
        EmbeddedChannel ch = new EmbeddedChannel(new FrontendDecoder(classifier, 1 << 16));
        long in = 0;
        long out = 0;
        try {
            while (data.remainingBytes() > 0) {
                byte[] chunk = data.consumeBytes(1 + data.consumeInt(0, 300));
                in += chunk.length;
                ch.writeInbound(Unpooled.wrappedBuffer(chunk));
                out += drain(ch);
            }
            out += drain(ch);
        } catch (DecoderException e) {
            requireProtocolViolation(e);
        } finally {
            try {
                ch.finishAndReleaseAll();
            } catch (DecoderException e) {
                requireProtocolViolation(e); // EmbeddedChannel rethrows what the pipeline recorded
            }
        }
        assertTrue(out <= in, "decoded " + out + " bytes from " + in);
    }

    private static void requireProtocolViolation(DecoderException e) {
        if (!(e.getCause() instanceof ProtocolViolation)) {
            throw e;
        }
    }

    /** Bytes of what the decoder put out (special requests count their fixed size), every buffer released. */
    private static long drain(EmbeddedChannel ch) {
        long n = 0;
        Object o;
        while ((o = ch.readInbound()) != null) {
            ByteBuf held = switch (o) {
                case PgMessage m -> m.frame();
                case RelayChunk c -> c.bytes();
                case StartupPacket.StartupMessage s -> s.raw();
                case ByteBuf b -> b;
                default -> null;
            };
            if (held != null) {
                n += held.readableBytes();
                ReferenceCountUtil.release(held);
            } else if (o instanceof StartupPacket.CancelRequest c) {
                n += 12 + c.secretKey().length;
            } else {
                n += 8; // SSLRequest, GSSENCRequest
            }
        }
        return n;
    }
}

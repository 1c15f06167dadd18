package io.pgmlsidecar.proxy.codec;

import static io.pgmlsidecar.proxy.codec.FramingTestSupport.buf;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.bytesOf;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.concat;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.cstr;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.drain;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.sync;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.typed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.pgmlsidecar.proxy.codec.FramingTestSupport.TestClassifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client-side decoder: untyped startup packets, then typed messages. */
class FrontendDecoderTest {

    private static byte[] untyped(int code, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).putInt(8 + rest.length).putInt(code).put(rest).array();
    }

    private static byte[] startup(int code) {
        return untyped(code, concat(cstr("user"), cstr("alice"), cstr("database"), cstr("db"), new byte[] {0}));
    }

    private static final byte[] STARTUP_3_0 = startup(196608);

    private final TestClassifier classifier = new TestClassifier('Q');
    private final FrontendDecoder decoder = new FrontendDecoder(classifier, 1 << 20);
    private final EmbeddedChannel ch = new EmbeddedChannel(decoder);

    @Test
    void startupMessageThenTypedMessagesInOneRead() {
        byte[] query = typed('Q', "SELECT 1");
        ch.writeInbound(buf(concat(STARTUP_3_0, typed('P', concat(cstr(""), cstr("SELECT 2"), new byte[2])), query, sync())));
        List<Object> out = drain(ch);
        assertEquals(4, out.size(), out.toString());
        StartupPacket.StartupMessage s = assertInstanceOf(StartupPacket.StartupMessage.class, out.get(0));
        assertEquals(3, s.majorVersion());
        assertEquals(0, s.minorVersion());
        assertArrayEquals(STARTUP_3_0, ByteBufUtil.getBytes(s.raw()), "the whole packet, length word included, to relay");
        s.raw().release();
        assertInstanceOf(RelayChunk.class, out.get(1));
        bytesOf((RelayChunk) out.get(1));
        assertArrayEquals(query, bytesOf(assertInstanceOf(PgMessage.class, out.get(2))));
        assertArrayEquals(sync(), bytesOf((RelayChunk) out.get(3)));
        assertEquals(FrontendDecoder.State.MESSAGES, decoder.state());
        assertFalse(ch.finish());
    }

    @Test
    void startupSplitAcrossReads() {
        ch.writeInbound(buf(Arrays.copyOfRange(STARTUP_3_0, 0, 3)));
        ch.writeInbound(buf(Arrays.copyOfRange(STARTUP_3_0, 3, 10)));
        assertTrue(drain(ch).isEmpty());
        assertEquals(FrontendDecoder.State.STARTUP, decoder.state());
        ch.writeInbound(buf(Arrays.copyOfRange(STARTUP_3_0, 10, STARTUP_3_0.length)));
        StartupPacket.StartupMessage s = (StartupPacket.StartupMessage) drain(ch).get(0);
        assertArrayEquals(STARTUP_3_0, ByteBufUtil.getBytes(s.raw()));
        s.raw().release();
        assertFalse(ch.finish());
    }

    @Test
    void protocolVersionsAreSplitIntoMajorAndMinor() {
        ch.writeInbound(buf(startup((3 << 16) | 2)));
        StartupPacket.StartupMessage s = (StartupPacket.StartupMessage) drain(ch).get(0);
        assertEquals(3, s.majorVersion());
        assertEquals(2, s.minorVersion());
        s.raw().release();

        EmbeddedChannel other = new EmbeddedChannel(new FrontendDecoder(classifier, 1 << 20));
        other.writeInbound(buf(startup((2 << 16) | 7)));
        StartupPacket.StartupMessage odd = (StartupPacket.StartupMessage) drain(other).get(0);
        assertEquals(2, odd.majorVersion(), "protocol 2 is passed on for the session to refuse");
        assertEquals(7, odd.minorVersion());
        odd.raw().release();
        assertFalse(ch.finish());
        assertFalse(other.finish());
    }

    @Test
    void sslAndGssEncRequestsKeepTheDecoderInStartup() {
        ch.writeInbound(buf(untyped(StartupPacket.SSL_REQUEST_CODE, new byte[0])));
        assertInstanceOf(StartupPacket.SslRequest.class, drain(ch).get(0));
        assertEquals(FrontendDecoder.State.STARTUP, decoder.state());
        ch.writeInbound(buf(untyped(StartupPacket.GSSENC_REQUEST_CODE, new byte[0])));
        assertInstanceOf(StartupPacket.GssEncRequest.class, drain(ch).get(0));
        assertEquals(FrontendDecoder.State.STARTUP, decoder.state());
        ch.writeInbound(buf(STARTUP_3_0));
        StartupPacket.StartupMessage s = (StartupPacket.StartupMessage) drain(ch).get(0);
        s.raw().release();
        assertEquals(FrontendDecoder.State.MESSAGES, decoder.state());
        assertFalse(ch.finish());
    }

    @Test
    void bytesPipelinedAfterSslRequestAreVisibleAsBuffered() {
        List<Boolean> bufferedAtSslRequest = new ArrayList<>();
        FrontendDecoder own = new FrontendDecoder(classifier, 1 << 20);
        EmbeddedChannel watched = new EmbeddedChannel(own, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof StartupPacket.SslRequest) {
                    bufferedAtSslRequest.add(own.hasBufferedBytes());
                }
                ctx.fireChannelRead(msg);
            }
        });
        watched.writeInbound(buf(untyped(StartupPacket.SSL_REQUEST_CODE, new byte[0])));
        watched.writeInbound(buf(concat(untyped(StartupPacket.SSL_REQUEST_CODE, new byte[0]), STARTUP_3_0)));
        assertEquals(List.of(false, true), bufferedAtSslRequest,
                "the session must be able to see clear-text bytes sent before the TLS handshake");
        for (Object o : drain(watched)) {
            if (o instanceof StartupPacket.StartupMessage s) {
                s.raw().release();
            }
        }
        assertFalse(watched.finish());
    }

    @Test
    void cancelRequestCarriesProcessIdAndKey() {
        ch.writeInbound(buf(untyped(StartupPacket.CANCEL_REQUEST_CODE, new byte[] {0, 0, 0x30, 0x39, 1, 2, 3, 4})));
        StartupPacket.CancelRequest c = (StartupPacket.CancelRequest) drain(ch).get(0);
        assertEquals(12345, c.processId());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, c.secretKey());

        // protocol 3.2: longer keys, up to 256 bytes
        EmbeddedChannel other = new EmbeddedChannel(new FrontendDecoder(classifier, 1 << 20));
        byte[] longKey = new byte[256];
        Arrays.fill(longKey, (byte) 7);
        other.writeInbound(buf(untyped(StartupPacket.CANCEL_REQUEST_CODE, concat(new byte[] {0, 0, 0, 1}, longKey))));
        StartupPacket.CancelRequest c2 = (StartupPacket.CancelRequest) drain(other).get(0);
        assertArrayEquals(longKey, c2.secretKey());
        assertFalse(ch.finish());
        assertFalse(other.finish());
    }

    @Test
    void badCancelRequestLengths() {
        assertViolation(untyped(StartupPacket.CANCEL_REQUEST_CODE, new byte[] {0, 0, 0, 1}), "invalid length of cancel request packet");
        assertViolation(untyped(StartupPacket.CANCEL_REQUEST_CODE, new byte[4 + 257]), "invalid length of cancel request packet");
    }

    @Test
    void badSslAndGssEncLengths() {
        assertViolation(untyped(StartupPacket.SSL_REQUEST_CODE, new byte[4]), "invalid length of SSLRequest packet");
        assertViolation(untyped(StartupPacket.GSSENC_REQUEST_CODE, new byte[1]), "invalid length of GSSENCRequest packet");
    }

    @Test
    void startupLengthOutOfRangeIsRejectedFromTheLengthWordAlone() {
        assertViolation(new byte[] {0, 0, 0, 7}, "invalid length of startup packet");
        assertViolation(new byte[] {0, 0, 0x27, 0x11}, "invalid length of startup packet"); // 10001
        assertViolation(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0}, "invalid length of startup packet");
        // the largest allowed length is merely waited for
        EmbeddedChannel other = new EmbeddedChannel(new FrontendDecoder(classifier, 1 << 20));
        other.writeInbound(buf(new byte[] {0, 0, 0x27, 0x10, 0, 3, 0, 0}));
        assertTrue(drain(other).isEmpty());
        FramingTestSupport.closeAfterViolation(other);
    }

    @Test
    void typedMessageLengthsAreCheckedAfterStartup() {
        ch.writeInbound(buf(STARTUP_3_0));
        ((StartupPacket.StartupMessage) drain(ch).get(0)).raw().release();
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(buf(new byte[] {'P', 0, 0, 0, 2})));
        assertEquals("invalid message length 2 for message type 'P'", e.getCause().getMessage());
        FramingTestSupport.closeAfterViolation(ch);
    }

    private void assertViolation(byte[] input, String message) {
        EmbeddedChannel fresh = new EmbeddedChannel(new FrontendDecoder(classifier, 1 << 20));
        DecoderException e = assertThrows(DecoderException.class, () -> fresh.writeInbound(buf(input)));
        ProtocolViolation pv = assertInstanceOf(ProtocolViolation.class, e.getCause());
        assertEquals(message, pv.getMessage());
        assertTrue(drain(fresh).isEmpty(), "nothing is passed on from a bad startup packet");
        FramingTestSupport.closeAfterViolation(fresh);
    }
}

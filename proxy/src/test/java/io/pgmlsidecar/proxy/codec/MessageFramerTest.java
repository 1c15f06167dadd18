package io.pgmlsidecar.proxy.codec;

import static io.pgmlsidecar.proxy.codec.FramingTestSupport.buf;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.bytesOf;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.concat;
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
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.pgmlsidecar.proxy.codec.FramingTestSupport.TestClassifier;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link MessageFramer} through a {@link BackendDecoder} on an EmbeddedChannel (typed from byte 0). */
class MessageFramerTest {

    private static final byte[] PARSE = typed('P', concat(FramingTestSupport.cstr(""), FramingTestSupport.cstr("SELECT 1"), new byte[] {0, 0}));
    private static final byte[] BIND = typed('B', new byte[] {0, 0, 0, 0, 0, 0, 0, 0});
    private static final byte[] EXECUTE = typed('E', new byte[] {0, 0, 0, 0, 0});
    private static final byte[] QUERY = typed('Q', "SELECT pgml.version()");

    private static EmbeddedChannel channel(TestClassifier classifier, int maxLength) {
        return new EmbeddedChannel(new BackendDecoder(classifier, maxLength));
    }

    @Test
    void consecutiveRelayableMessagesLeaveAsOneChunk() {
        TestClassifier classifier = new TestClassifier();
        EmbeddedChannel ch = channel(classifier, 1 << 20);
        byte[] input = concat(PARSE, BIND, EXECUTE, sync(), QUERY);
        ch.writeInbound(buf(input));
        List<Object> out = drain(ch);
        assertEquals(1, out.size(), out.toString());
        assertArrayEquals(input, bytesOf(assertInstanceOf(RelayChunk.class, out.get(0))));
        assertEquals(List.of('P', 'B', 'E', 'S', 'Q'), classifier.observed);
        assertFalse(ch.finish());
    }

    @Test
    void messageSplitAcrossReadsIsRelayedOnceWhole() {
        TestClassifier classifier = new TestClassifier();
        EmbeddedChannel ch = channel(classifier, 1 << 20);
        // split inside the header, then inside the body
        ch.writeInbound(buf(Arrays.copyOfRange(PARSE, 0, 3)));
        assertTrue(drain(ch).isEmpty(), "half a header must not be relayed");
        ch.writeInbound(buf(Arrays.copyOfRange(PARSE, 3, 9)));
        assertTrue(drain(ch).isEmpty(), "a part of a small message must not be relayed");
        ch.writeInbound(buf(concat(Arrays.copyOfRange(PARSE, 9, PARSE.length), Arrays.copyOfRange(BIND, 0, 2))));
        List<Object> out = drain(ch);
        assertEquals(1, out.size());
        assertArrayEquals(PARSE, bytesOf((RelayChunk) out.get(0)), "the whole Parse, not the start of the Bind");
        ch.writeInbound(buf(Arrays.copyOfRange(BIND, 2, BIND.length)));
        assertArrayEquals(BIND, bytesOf((RelayChunk) drain(ch).get(0)));
        assertEquals(List.of('P', 'B'), classifier.observed);
        assertFalse(ch.finish());
    }

    @Test
    void byteByByteFeedingKeepsMessageBoundaries() {
        TestClassifier classifier = new TestClassifier('Q');
        EmbeddedChannel ch = channel(classifier, 1 << 20);
        byte[] input = concat(PARSE, QUERY, BIND, typed('d', new byte[70_000]), EXECUTE, sync());
        ByteArrayOutputStream relayed = new ByteArrayOutputStream();
        int attention = 0;
        for (byte b : input) {
            ch.writeInbound(buf(new byte[] {b}));
            for (Object o : drain(ch)) {
                if (o instanceof RelayChunk c) {
                    relayed.writeBytes(bytesOf(c));
                } else {
                    assertArrayEquals(QUERY, bytesOf((PgMessage) o));
                    attention++;
                }
            }
        }
        assertEquals(1, attention);
        byte[] expected = concat(PARSE, BIND, typed('d', new byte[70_000]), EXECUTE, sync());
        assertArrayEquals(expected, relayed.toByteArray());
        assertEquals(List.of('P', 'B', 'd', 'E', 'S'), classifier.observed);
        assertFalse(ch.finish());
    }

    @Test
    void largeMessageStreamsThroughAsItArrives() {
        TestClassifier classifier = new TestClassifier('Q');
        EmbeddedChannel ch = channel(classifier, 1 << 30);
        byte[] body = new byte[300_000];
        new Random(7).nextBytes(body);
        byte[] copyData = typed('d', body);
        byte[] input = concat(copyData, sync());

        ch.writeInbound(buf(Arrays.copyOfRange(input, 0, 1005)));
        List<Object> first = drain(ch);
        assertEquals(1, first.size(), "the start of a large message passes at once, unbuffered");
        assertArrayEquals(Arrays.copyOfRange(input, 0, 1005), bytesOf((RelayChunk) first.get(0)));

        ByteArrayOutputStream relayed = new ByteArrayOutputStream();
        relayed.writeBytes(Arrays.copyOfRange(input, 0, 1005));
        int[] cuts = {1005, 50_000, 200_000, copyData.length - 1, input.length};
        for (int i = 0; i + 1 < cuts.length; i++) {
            ch.writeInbound(buf(Arrays.copyOfRange(input, cuts[i], cuts[i + 1])));
            List<Object> out = drain(ch);
            assertEquals(1, out.size(), "each read of a streamed message is relayed right away");
            relayed.writeBytes(bytesOf((RelayChunk) out.get(0)));
        }
        assertArrayEquals(input, relayed.toByteArray());
        assertEquals(List.of('d', 'S'), classifier.observed, "framing resumes after the streamed message");

        // a large message that may need attention is buffered whole instead
        byte[] bigQuery = typed('Q', "SELECT '" + "x".repeat(200_000) + "'");
        ch.writeInbound(buf(Arrays.copyOfRange(bigQuery, 0, 100_000)));
        assertTrue(drain(ch).isEmpty(), "an attention candidate is not streamed");
        ch.writeInbound(buf(Arrays.copyOfRange(bigQuery, 100_000, bigQuery.length)));
        List<Object> out = drain(ch);
        assertEquals(1, out.size());
        assertArrayEquals(bigQuery, bytesOf(assertInstanceOf(PgMessage.class, out.get(0))));
        assertFalse(ch.finish());
    }

    @Test
    void attentionMessagesAreEmittedSeparatelyAndInOrder() {
        TestClassifier classifier = new TestClassifier('Q');
        EmbeddedChannel ch = channel(classifier, 1 << 20);
        ch.writeInbound(buf(concat(PARSE, BIND, QUERY, QUERY, EXECUTE, sync())));
        List<Object> out = drain(ch);
        assertEquals(4, out.size(), out.toString());
        assertArrayEquals(concat(PARSE, BIND), bytesOf((RelayChunk) out.get(0)));
        PgMessage q1 = (PgMessage) out.get(1);
        assertEquals('Q', (char) q1.type());
        assertEquals("SELECT pgml.version()", WireStrings.read(q1.body()));
        assertArrayEquals(QUERY, bytesOf(q1));
        assertArrayEquals(QUERY, bytesOf((PgMessage) out.get(2)));
        assertArrayEquals(concat(EXECUTE, sync()), bytesOf((RelayChunk) out.get(3)));
        assertEquals(List.of('P', 'B', 'E', 'S'), classifier.observed, "attention messages are not observed as relayed");
        assertFalse(ch.finish());
    }

    @Test
    void classifierMayDeclineAWholeMessage() {
        TestClassifier classifier = new TestClassifier('P') {
            @Override
            public boolean needsAttention(byte type, io.netty.buffer.ByteBuf frame, int start, int frameLength) {
                super.needsAttention(type, frame, start, frameLength);
                return false;
            }
        };
        EmbeddedChannel ch = channel(classifier, 1 << 20);
        ch.writeInbound(buf(concat(PARSE, BIND)));
        List<Object> out = drain(ch);
        assertEquals(1, out.size());
        assertArrayEquals(concat(PARSE, BIND), bytesOf((RelayChunk) out.get(0)));
        assertEquals(List.of('P'), classifier.askedWhole);
        assertEquals(List.of('P', 'B'), classifier.observed);
        assertFalse(ch.finish());
    }

    @Test
    void lengthBelowFourIsAProtocolViolationAfterTheGoodBytes() {
        TestClassifier classifier = new TestClassifier();
        EmbeddedChannel ch = channel(classifier, 1 << 20);
        byte[] bad = {'Q', 0, 0, 0, 3};
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(buf(concat(PARSE, bad, sync()))));
        ProtocolViolation pv = assertInstanceOf(ProtocolViolation.class, e.getCause());
        assertEquals("invalid message length 3 for message type 'Q'", pv.getMessage());
        List<Object> out = drain(ch);
        assertEquals(1, out.size(), "the messages before the bad one are still relayed");
        assertArrayEquals(PARSE, bytesOf((RelayChunk) out.get(0)));
        FramingTestSupport.closeAfterViolation(ch);
    }

    @Test
    void lengthAboveTheMaximumOrNegativeIsAProtocolViolation() {
        EmbeddedChannel ch = channel(new TestClassifier(), 1000);
        DecoderException e = assertThrows(DecoderException.class,
                () -> ch.writeInbound(buf(new byte[] {'d', 0, 0, 0x03, (byte) 0xe9})));
        assertEquals("invalid message length 1001 for message type 'd'", e.getCause().getMessage());
        FramingTestSupport.closeAfterViolation(ch);

        EmbeddedChannel ch2 = channel(new TestClassifier(), 1000);
        byte[] exactlyMax = typed('d', new byte[996]);
        ch2.writeInbound(buf(exactlyMax));
        assertArrayEquals(exactlyMax, bytesOf((RelayChunk) drain(ch2).get(0)));
        e = assertThrows(DecoderException.class,
                () -> ch2.writeInbound(buf(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})));
        assertEquals("invalid message length 4294967295 for message type '\\xfe'", e.getCause().getMessage());
        FramingTestSupport.closeAfterViolation(ch2);
    }

    @Test
    void relayChunksShareTheInputInsteadOfCopying() {
        EmbeddedChannel ch = channel(new TestClassifier(), 1 << 20);
        byte[] input = concat(PARSE, BIND, EXECUTE, sync());
        ch.writeInbound(buf(input));
        RelayChunk c = (RelayChunk) drain(ch).get(0);
        assertEquals(input.length, c.bytes().readableBytes());
        assertEquals(1, c.bytes().refCnt());
        assertArrayEquals(input, ByteBufUtil.getBytes(c.bytes()));
        assertTrue(c.bytes().release());
        assertFalse(ch.finish());
    }
}

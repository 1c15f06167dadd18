package io.pgmlsidecar.proxy.codec;

import static io.pgmlsidecar.proxy.codec.FramingTestSupport.buf;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.concat;
import static io.pgmlsidecar.proxy.codec.FramingTestSupport.cstr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The readers of the frontend messages the session inspects, on good and on cut-short bodies. */
class FrontendMessagesTest {

    private static final byte[] BIND = concat(cstr("portal"), cstr("stmt"),
            new byte[] {0, 1, 0, 1}, // one parameter format: binary
            new byte[] {0, 2, 0, 0, 0, 2, 'h', 'i', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // "hi", NULL
            new byte[] {0, 0}); // results: default text

    @Test
    void bindIsReadWhole() {
        ByteBuf body = buf(BIND);
        FrontendMessages.Bind b = FrontendMessages.Bind.read(body);
        assertEquals("portal", b.portalName());
        assertEquals("stmt", b.statementName());
        assertEquals(1, b.parameterFormat(0));
        assertEquals(1, b.parameterFormat(1), "one format code applies to every parameter");
        assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII), b.values()[0]);
        assertNull(b.values()[1]);
        assertEquals(0, b.resultFormat(3));
        assertEquals(0, body.readerIndex(), "readers must not move the caller's indexes");
    }

    @Test
    void everyTruncationOfABindIsAProtocolViolation() {
        for (int cut = 0; cut < BIND.length; cut++) {
            byte[] shorter = Arrays.copyOf(BIND, cut);
            ProtocolViolation e = assertThrows(ProtocolViolation.class, () -> FrontendMessages.Bind.read(buf(shorter)),
                    "cut at " + cut);
            assertEquals(cut < 12 ? "invalid string in message" : "insufficient data left in message", e.getMessage(),
                    "cut at " + cut);
        }
    }

    @Test
    void parseExecuteAndTargetCutShort() {
        byte[] parse = concat(cstr("s"), cstr("SELECT $1"), new byte[] {0, 1, 0, 0, 0, 23});
        FrontendMessages.Parse p = FrontendMessages.Parse.read(buf(parse));
        assertArrayEquals(new int[] {23}, p.parameterTypeOids());
        assertThrows(ProtocolViolation.class, () -> FrontendMessages.Parse.read(buf(Arrays.copyOf(parse, parse.length - 1))));

        byte[] execute = concat(cstr("p"), new byte[] {0, 0, 0, 5});
        assertEquals(5, FrontendMessages.Execute.read(buf(execute)).maxRows());
        assertThrows(ProtocolViolation.class, () -> FrontendMessages.Execute.read(buf(Arrays.copyOf(execute, 4))));

        assertEquals('P', FrontendMessages.Target.read(buf(concat(new byte[] {'P'}, cstr("x")))).kind());
        assertThrows(ProtocolViolation.class, () -> FrontendMessages.Target.read(buf(new byte[0])));
        assertThrows(ProtocolViolation.class, () -> FrontendMessages.Target.read(buf(new byte[] {'S'})));
        ProtocolViolation bad = assertThrows(ProtocolViolation.class,
                () -> FrontendMessages.Target.read(buf(concat(new byte[] {'X'}, cstr("x")))));
        assertEquals("invalid DESCRIBE/CLOSE message subtype 88", bad.getMessage());
    }
}

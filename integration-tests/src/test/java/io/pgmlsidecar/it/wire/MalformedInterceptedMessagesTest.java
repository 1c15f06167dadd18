package io.pgmlsidecar.it.wire;

import static io.pgmlsidecar.it.wire.RawPgClient.concat;
import static io.pgmlsidecar.it.wire.RawPgClient.cstr;
import static io.pgmlsidecar.it.wire.RawPgClient.parse;
import static io.pgmlsidecar.it.wire.RawPgClient.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.wire.RawPgClient.BackendMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Well-framed messages with broken bodies that the sidecar must read itself (they concern an
 * intercepted statement): a client protocol violation, answered FATAL 08P01 like the framing
 * errors, not as an internal error of the sidecar.
 */
class MalformedInterceptedMessagesTest {

    private final TestCluster cluster = TestCluster.get();

    private RawPgClient sessionWithInterceptedStatement() throws IOException {
        RawPgClient c = RawPgClient.connect(cluster.sidecarPort());
        c.startupAndWaitReady("postgres", "postgres");
        c.send(parse("s1", "SELECT pgml.version()"), sync());
        List<BackendMessage> reply = c.readUntil('Z');
        assertEquals('1', reply.get(0).type(), RawPgClient.render(reply));
        return c;
    }

    private static void assertProtocolViolation(RawPgClient c, String message) throws IOException {
        List<BackendMessage> reply = c.readToEof();
        assertEquals(1, reply.size(), RawPgClient.render(reply));
        BackendMessage e = reply.get(0);
        assertEquals('E', e.type(), RawPgClient.render(reply));
        assertEquals("FATAL", e.field('S'), RawPgClient.render(reply));
        assertEquals("08P01", e.field('C'), RawPgClient.render(reply));
        assertEquals(message, e.field('M'));
    }

    @Test
    void truncatedBindOfInterceptedStatement() throws IOException {
        try (RawPgClient c = sessionWithInterceptedStatement()) {
            // portal "", statement "s1", then one byte of the parameter-format count
            c.send(RawPgClient.typed('B', concat(cstr(""), cstr("s1"), new byte[] {0})), sync());
            assertProtocolViolation(c, "insufficient data left in message");
        }
    }

    @Test
    void bindWithParameterLengthPastTheEnd() throws IOException {
        try (RawPgClient c = sessionWithInterceptedStatement()) {
            c.send(RawPgClient.typed('B', concat(cstr(""), cstr("s1"), new byte[] {0, 0, 0, 1, 0, 0, 0x10, 0, 'x'})), sync());
            assertProtocolViolation(c, "insufficient data left in message");
        }
    }

    @Test
    void truncatedExecuteOfInterceptedPortal() throws IOException {
        try (RawPgClient c = sessionWithInterceptedStatement()) {
            c.send(RawPgClient.bind("p1", "s1"), RawPgClient.flush());
            assertEquals('2', c.read().type());
            c.send(RawPgClient.typed('E', concat(cstr("p1"), new byte[] {0, 0})), sync());
            assertProtocolViolation(c, "insufficient data left in message");
        }
    }

    @Test
    void queryMentioningTheTriggerWithoutTerminator() throws IOException {
        try (RawPgClient c = RawPgClient.connect(cluster.sidecarPort())) {
            c.startupAndWaitReady("postgres", "postgres");
            c.send(RawPgClient.typed('Q', "SELECT pgml.version()".getBytes(StandardCharsets.US_ASCII)));
            assertProtocolViolation(c, "invalid string in message");
        }
    }

    @Test
    void describeWithBadSubtypeWhileStatementsAreIntercepted() throws IOException {
        try (RawPgClient c = sessionWithInterceptedStatement()) {
            c.send(RawPgClient.typed('D', concat(new byte[] {'X'}, cstr("s1"))), sync());
            assertProtocolViolation(c, "invalid DESCRIBE/CLOSE message subtype 88");
        }
    }

    @Test
    void sessionStaysUsableAfterAWellFormedInterceptedError() throws IOException {
        // control: a Bind with the wrong parameter count is the client's mistake, not a violation
        try (RawPgClient c = sessionWithInterceptedStatement()) {
            c.send(RawPgClient.bind("", "s1", "unexpected"), RawPgClient.execute("", 0), sync());
            List<BackendMessage> reply = c.readUntil('Z');
            assertEquals('E', reply.get(0).type(), RawPgClient.render(reply));
            assertEquals("08P01", reply.get(0).field('C'), RawPgClient.render(reply));
            assertEquals("ERROR", reply.get(0).field('S'), RawPgClient.render(reply));
            c.send(RawPgClient.bind("", "s1"), RawPgClient.execute("", 0), sync());
            List<BackendMessage> ok = c.readUntil('Z');
            assertTrue(RawPgClient.render(ok).contains(io.pgmlsidecar.planner.SidecarVersion.get()), RawPgClient.render(ok));
        }
    }
}

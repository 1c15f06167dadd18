package io.pgmlsidecar.proxy.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmlsidecar.proxy.codec.TransactionStatus;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every phase of a session and every hand-over between the fast path and the intercept worker,
 * in process: the session's real pipelines on embedded channels, PostgreSQL's replies scripted
 * as PostgreSQL sends them, a real interceptor. A test that leaves PostgreSQL waiting for a
 * scripted message, or sends it one it did not expect, fails.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClientSessionTest {

    private final CancelKeys keys = new CancelKeys();
    private final EchoInterceptor interceptor = new EchoInterceptor();
    private final SessionHarness h = new SessionHarness(interceptor, keys);

    @AfterEach
    void scriptFollowed() {
        h.postgres.assertFollowed();
        h.client.finishAndReleaseAll();
    }

    private void ready() {
        h.authenticate();
        assertEquals(Phase.READY, h.session.phase());
    }

    // ------------------------------------------------------------------ startup and authentication

    @Test
    void startupAnswersEncryptionRequestsThenAuthenticatesUpstream() {
        assertEquals(Phase.STARTUP, h.session.phase());
        h.send(new byte[] {0, 0, 0, 8, 4, (byte) 0xd2, 0x16, 0x2f}); // SSLRequest
        assertArrayEquals(new byte[] {'N'}, h.rawReceived(), "no TLS configured: 'N', and the session stays in startup");
        assertEquals(Phase.STARTUP, h.session.phase());

        h.postgres.expect('0', "alice").reply(Wire.authenticationCleartextPassword());
        h.send(Wire.startup("alice", "shop"));
        assertEquals("R", h.receivedTypes(), "the password request is relayed");
        assertEquals(Phase.AUTHENTICATING, h.session.phase());

        h.postgres.expect('p', "secret").reply(Wire.authenticationOk(),
                Wire.keyData(SessionHarness.UPSTREAM_PID, SessionHarness.UPSTREAM_SECRET), Wire.ready());
        h.send(Wire.typed('p', Wire.concat("secret".getBytes(), new byte[] {0})));
        List<Wire.Msg> replies = h.received();
        assertEquals("RKZ", Wire.types(replies));
        assertEquals(Phase.READY, h.session.phase(), "the first ReadyForQuery ends authentication");
        ByteBuf key = Unpooled.wrappedBuffer(replies.get(1).body());
        assertNotEquals(SessionHarness.UPSTREAM_PID, key.getInt(0), "the client gets the sidecar's own cancel key");
    }

    @Test
    void interceptedStatementBeforeAuthenticationEndsIsAnIllegalTransition() {
        h.postgres.expect('0').reply(Wire.authenticationCleartextPassword());
        h.send(Wire.startup("alice", "shop"), Wire.query("select pgml.echo('early')"));
        List<Wire.Msg> replies = h.received();
        assertEquals("RE", Wire.types(replies), "the relayed password request, then the error");
        assertEquals("08P01", replies.get(1).errorField('C'));
        assertTrue(replies.get(1).errorField('M').contains("AUTHENTICATING cannot move to INTERCEPTED"),
                replies.get(1).errorField('M'));
        assertFalse(h.client.isOpen(), "the session is closed");
        assertEquals(Phase.CLOSED, h.session.phase());
    }

    // ------------------------------------------------------------------ the fast path's phases

    @Test
    void simpleQueryIsInQueryUntilReadyForQuery() {
        ready();
        h.postgres.expect('Q', "select 1").replyLater(Wire.textColumns("?column?"), Wire.row("1"), Wire.complete("SELECT 1"),
                Wire.ready());
        h.send(Wire.query("select 1"));
        assertEquals(Phase.IN_QUERY, h.session.phase(), "the reply is still running");
        h.postgres.sendPendingReplies();
        assertEquals("TDCZ", h.receivedTypes());
        assertEquals(Phase.READY, h.session.phase());
    }

    @Test
    void extendedBatchIsOpenFromTheFirstMessageToReadyForQuery() {
        ready();
        h.postgres.expect('P', "select 2").reply(Wire.parseComplete())
                .expect('B').reply(Wire.bindComplete())
                .expect('E').reply(Wire.row("2"), Wire.complete("SELECT 1"));
        h.send(Wire.parse("", "select 2"), Wire.bind("", ""), Wire.execute(""));
        assertEquals(Phase.IN_EXTENDED_BATCH, h.session.phase());
        assertEquals("", h.receivedTypes(), "PostgreSQL holds the replies until Sync");
        h.postgres.expect('S').reply(Wire.ready(TransactionStatus.IDLE));
        h.send(Wire.sync());
        assertEquals("12DCZ", h.receivedTypes());
        assertEquals(Phase.READY, h.session.phase());
    }

    @Test
    void copyInAndCopyOutAreTheirOwnPhases() {
        ready();
        h.postgres.expect('Q', "from stdin").reply(Wire.copyInResponse());
        h.send(Wire.query("copy items from stdin"));
        assertEquals("G", h.receivedTypes());
        assertEquals(Phase.COPY_IN, h.session.phase());
        h.postgres.expect('d', "apple").reply()
                .expect('c').reply(Wire.complete("COPY 1"), Wire.ready());
        h.send(Wire.copyData("apple\n"), Wire.copyDone());
        assertEquals("CZ", h.receivedTypes());
        assertEquals(Phase.READY, h.session.phase());

        h.postgres.expect('Q', "to stdout").reply(Wire.copyOutResponse(), Wire.typed('d', "apple\n".getBytes()));
        h.send(Wire.query("copy items to stdout"));
        assertEquals("Hd", h.receivedTypes());
        assertEquals(Phase.COPY_OUT, h.session.phase());
        h.postgres.sendUnasked(Wire.concat(Wire.typed('c', new byte[0]), Wire.complete("COPY 1"), Wire.ready()));
        assertEquals("cCZ", h.receivedTypes());
        assertEquals(Phase.READY, h.session.phase());
    }

    // ------------------------------------------------------------------ hand-over to the worker and back

    @Test
    void interceptedQueryIsServedWhileTheWorkerOwnsTheSession() {
        ready();
        AtomicReference<Phase> during = new AtomicReference<>();
        interceptor.duringStatement = () -> during.set(h.session.phase());
        h.send(Wire.query("select pgml.echo('hello')"));
        List<Wire.Msg> replies = h.received();
        assertEquals("TDCZ", Wire.types(replies));
        assertEquals("hello", new String(replies.get(1).body(), 6, 5));
        assertEquals(Phase.INTERCEPTED, during.get());
        assertEquals(Phase.READY, h.session.phase(), "handed back to the fast path");
        assertTrue(h.postgres.received().stream().noneMatch(m -> m.type() == 'Q'), "the backend never saw it");

        h.postgres.expect('Q', "select 3").reply(Wire.textColumns("x"), Wire.row("3"), Wire.complete("SELECT 1"), Wire.ready());
        h.send(Wire.query("select 3"));
        assertEquals("TDCZ", h.receivedTypes(), "the fast path relays again");
    }

    @Test
    void interceptedStatementRunsItsOwnStatementOnTheSessionsBackend() {
        ready();
        h.postgres.expect('P', "count(*) from items").reply(Wire.parseComplete())
                .expect('B').reply(Wire.bindComplete())
                .expect('D').reply(Wire.textColumns("count"))
                .expect('E').reply(Wire.row("7"), Wire.complete("SELECT 1"))
                .expect('S').reply(Wire.ready());
        h.send(Wire.query("select pgml.count()"));
        List<Wire.Msg> replies = h.received();
        assertEquals("TDCZ", Wire.types(replies), "the client sees only the intercepted statement's answer");
        assertEquals("7", new String(replies.get(1).body(), 6, 1));
    }

    @Test
    void interceptedStatementInsideTheClientsBatchRunsItsOwnStatementWithoutEndingTheBatch() {
        ready();
        h.postgres.expect('P', "count(*) from items").reply(Wire.parseComplete())
                .expect('B').reply(Wire.bindComplete())
                .expect('D').reply(Wire.textColumns("count"))
                .expect('E').reply(Wire.row("5"), Wire.complete("SELECT 1"))
                .expect('H').reply() // Flush, not Sync: the client's Sync ends its implicit transaction
                .expect('S').reply(Wire.ready());
        h.send(Wire.parse("", "select pgml.count()"), Wire.bind("", ""), Wire.execute(""), Wire.sync());
        List<Wire.Msg> replies = h.received();
        assertEquals("12DCZ", Wire.types(replies));
        assertEquals("5", new String(replies.get(2).body(), 6, 1));
        assertEquals(Phase.READY, h.session.phase());
    }

    @Test
    void pipelinedQueriesMixingRelayedAndInterceptedKeepTheirOrder() {
        ready();
        h.postgres.expect('Q', "select 1").reply(Wire.textColumns("a"), Wire.row("1"), Wire.complete("SELECT 1"), Wire.ready())
                .expect('Q', "select 3").reply(Wire.textColumns("c"), Wire.row("3"), Wire.complete("SELECT 1"), Wire.ready());
        h.send(Wire.query("select 1"), Wire.query("select pgml.echo('2')"), Wire.query("select 3"));
        List<Wire.Msg> replies = h.received();
        assertEquals("TDCZTDCZTDCZ", Wire.types(replies));
        assertEquals("1", new String(replies.get(1).body(), 6, 1));
        assertEquals("2", new String(replies.get(5).body(), 6, 1), "the served answer comes after the relayed one before it");
        assertEquals("3", new String(replies.get(9).body(), 6, 1));
        assertEquals(Phase.READY, h.session.phase());
    }

    @Test
    void pipelinedExtendedBatchMixingRelayedAndInterceptedStatements() {
        ready();
        h.postgres.expect('P', "select 1").reply(Wire.parseComplete())
                .expect('B').reply(Wire.bindComplete())
                .expect('E').reply(Wire.row("1"), Wire.complete("SELECT 1"))
                .expect('H').reply() // the worker asks for the replies so far without ending the batch
                .expect('P', "select 3").reply(Wire.parseComplete())
                .expect('B').reply(Wire.bindComplete())
                .expect('E').reply(Wire.row("3"), Wire.complete("SELECT 1"))
                .expect('S').reply(Wire.ready());
        h.send(Wire.parse("", "select 1"), Wire.bind("", ""), Wire.execute(""),
                Wire.parse("", "select pgml.echo('2')"), Wire.bind("", ""), Wire.execute(""),
                Wire.parse("", "select 3"), Wire.bind("", ""), Wire.execute(""), Wire.sync());
        List<Wire.Msg> replies = h.received();
        assertEquals("12DC12DC12DCZ", Wire.types(replies));
        assertEquals("2", new String(replies.get(6).body(), 6, 1));
        assertEquals(Phase.READY, h.session.phase());
    }

    @Test
    void theSessionsSettingsAreReadOnceThenOnlyAfterAStatementThatMayChangeThem() {
        ready();
        h.send(Wire.query("select pgml.echo('a')"));
        assertEquals("TDCZ", h.receivedTypes());
        h.send(Wire.query("select pgml.echo('b')"));
        assertEquals("TDCZ", h.receivedTypes());
        assertEquals(1, h.postgres.settingsReads(), "statement_timeout and current_user are read at the first served statement only");

        h.postgres.expect('Q', "select 1").reply(Wire.textColumns("a"), Wire.row("1"), Wire.complete("SELECT 1"), Wire.ready());
        h.send(Wire.query("select 1"));
        assertEquals("TDCZ", h.receivedTypes());
        h.send(Wire.query("select pgml.echo('c')"));
        assertEquals("TDCZ", h.receivedTypes());
        assertEquals(1, h.postgres.settingsReads(), "an ordinary relayed statement changes neither");

        h.postgres.expect('Q', "set statement_timeout").reply(Wire.complete("SET"), Wire.ready());
        h.send(Wire.query("set statement_timeout = 5"));
        assertEquals("CZ", h.receivedTypes());
        h.send(Wire.query("select pgml.echo('d')"));
        assertEquals("TDCZ", h.receivedTypes());
        assertEquals(2, h.postgres.settingsReads(), "read again after a SET");
    }

    @Test
    void namedStatementTheInterceptorServesIsRoutedToItInLaterBatches() {
        ready();
        h.send(Wire.parse("s1", "select pgml.echo('named')"), Wire.sync());
        assertEquals("1Z", h.receivedTypes());
        assertEquals(Phase.READY, h.session.phase());

        h.send(Wire.bind("p1", "s1"), Wire.execute("p1"), Wire.sync());
        List<Wire.Msg> replies = h.received();
        assertEquals("2DCZ", Wire.types(replies), "the fast path sends a Bind of a served statement to the worker");
        assertEquals("named", new String(replies.get(1).body(), 6, 5));
        assertEquals(1, h.postgres.received().size(),
                "the startup only: neither Sync changed anything upstream (nothing was sent since its last ReadyForQuery), "
                        + "the sidecar answered both");
    }

    @Test
    void errorMidBatchSkipsTheInterceptedStatementUntilSync() {
        ready();
        h.postgres.expect('P', "1/0").reply(Wire.parseComplete())
                .expect('B').reply(Wire.bindComplete())
                .expect('E').reply(Wire.error("22012", "division by zero"))
                .expect('H').reply()
                .expect('B').reply() // PostgreSQL ignores what follows the error until Sync
                .expect('E').reply()
                .expect('S').reply(Wire.ready());
        h.send(Wire.parse("", "select 1/0"), Wire.bind("", ""), Wire.execute(""),
                Wire.parse("", "select pgml.echo('never')"), Wire.bind("", ""), Wire.execute(""), Wire.sync());
        List<Wire.Msg> replies = h.received();
        assertEquals("12EZ", Wire.types(replies), "no answer of the intercepted Parse after the error");
        assertEquals("22012", replies.get(2).errorField('C'));
        assertEquals(Phase.READY, h.session.phase());

        h.send(Wire.query("select pgml.echo('after')"));
        assertEquals("TDCZ", h.receivedTypes(), "the session is usable");
    }

    @Test
    void interceptorErrorReachesTheClientAndTheSessionGoesOn() {
        ready();
        h.send(Wire.query("select pgml.bad()"));
        List<Wire.Msg> replies = h.received();
        assertEquals("EZ", Wire.types(replies));
        assertEquals("22023", replies.get(0).errorField('C'));
        assertEquals("Call it with none.", replies.get(0).errorField('H'));
        assertEquals(Phase.READY, h.session.phase());
    }

    @Test
    void interceptedStatementAfterCopyWaitsForTheCopyToEnd() {
        ready();
        h.postgres.expect('Q', "from stdin").reply(Wire.copyInResponse())
                .expect('d').reply()
                .expect('c').reply(Wire.complete("COPY 1"), Wire.ready());
        h.send(Wire.query("copy items from stdin"), Wire.copyData("pear\n"), Wire.copyDone(), Wire.query("select pgml.echo('x')"));
        assertEquals("GCZTDCZ", h.receivedTypes());
        assertEquals(Phase.READY, h.session.phase());
    }

    @Test
    void cancelDuringAnInterceptedStatementReachesTheBackendAndTheSessionGoesOn() {
        byte[] sidecarKey = h.authenticate().get(1).body();
        SessionHarness canceller = new SessionHarness(interceptor, keys);
        h.postgres.expect('P', "pg_sleep").first(() -> canceller.send(cancelPacket(sidecarKey)))
                .reply(Wire.parseComplete())
                .expect('B').reply(Wire.bindComplete())
                .expect('D').reply(Wire.textColumns("pg_sleep"))
                .expect('E').reply(Wire.error("57014", "canceling statement due to user request"))
                .expect('S').reply(Wire.ready());
        h.send(Wire.query("select pgml.sleep()"));

        List<Wire.Msg> replies = h.received();
        assertEquals("EZ", Wire.types(replies));
        assertEquals("57014", replies.get(0).errorField('C'));
        assertTrue(interceptor.cancelSeen, "the statement saw the cancel");
        assertEquals(1, h.forwardedCancels.size());
        assertArrayEquals(Wire.cancelRequest(SessionHarness.UPSTREAM_PID, SessionHarness.UPSTREAM_SECRET),
                h.forwardedCancels.get(0), "forwarded with the upstream's own key");
        assertFalse(canceller.client.isOpen(), "the cancel connection closes once PostgreSQL closed the forwarded one");
        assertEquals(Phase.READY, h.session.phase());

        h.send(Wire.query("select pgml.echo('after')"));
        assertEquals("TDCZ", h.receivedTypes());
    }

    private static byte[] cancelPacket(byte[] keyBody) {
        ByteBuf b = Unpooled.wrappedBuffer(keyBody);
        byte[] secret = new byte[keyBody.length - 4];
        b.getBytes(4, secret);
        return Wire.cancelRequest(b.getInt(0), secret);
    }

    @Test
    void backendGoneWhileInterceptedClosesTheClientWithAnError() {
        ready();
        h.postgres.expect('P', "count(*)").first(() -> {
            h.backend.close();
            h.backend.runPendingTasks(); // the embedded loop runs channelInactive as a task
        }).reply();
        h.send(Wire.query("select pgml.count()"));
        h.settle();
        List<Wire.Msg> replies = h.received();
        assertEquals("E", Wire.types(replies));
        assertEquals("08006", replies.get(0).errorField('C'));
        assertFalse(h.client.isOpen());
        assertEquals(Phase.CLOSED, h.session.phase());
    }

    @Test
    void backendGoneWhileRelayingTellsTheClientWhy() {
        ready();
        h.postgres.expect('Q', "pg_sleep").replyLater(Wire.textColumns("pg_sleep"));
        h.send(Wire.query("select pg_sleep(60)"));
        h.postgres.sendPendingReplies();
        assertEquals("T", h.receivedTypes());
        h.backend.close();
        h.backend.runPendingTasks();
        h.settle();
        List<Wire.Msg> replies = h.received();
        assertEquals("E", Wire.types(replies), "a FATAL error after the last whole message relayed");
        assertEquals("08006", replies.get(0).errorField('C'));
        assertFalse(h.client.isOpen());
    }

    @Test
    void backendGoneAfterItsOwnFatalErrorAddsNone() {
        ready();
        h.postgres.expect('Q', "select 1").reply(Wire.error("57P01", "terminating connection due to administrator command"));
        h.send(Wire.query("select 1"));
        h.backend.close();
        h.backend.runPendingTasks();
        h.settle();
        assertEquals("E", h.receivedTypes(), "PostgreSQL's error only");
        assertFalse(h.client.isOpen());
    }

    @Test
    void backendGoneAfterTerminateIsNoError() {
        ready();
        h.postgres.expect('X').reply();
        h.send(Wire.typed('X', new byte[0]));
        h.backend.close();
        h.backend.runPendingTasks();
        h.settle();
        assertEquals("", h.receivedTypes());
        assertFalse(h.client.isOpen());
    }

    // ------------------------------------------------------------------ draining and closing

    @Test
    void drainingFinishesTheRunningStatementThenCloses() {
        ready();
        h.postgres.expect('Q', "pg_sleep").replyLater(Wire.textColumns("pg_sleep"), Wire.row(""), Wire.complete("SELECT 1"),
                Wire.ready());
        h.send(Wire.query("select pg_sleep(1)"));
        h.session.beginShutdown();
        assertEquals(Phase.DRAINING, h.session.phase());
        assertTrue(h.client.isOpen(), "the running statement may finish");
        h.postgres.sendPendingReplies();
        h.settle();
        List<Wire.Msg> replies = h.received();
        assertEquals("TDCZE", Wire.types(replies));
        assertEquals("57P01", replies.get(4).errorField('C'));
        assertFalse(h.client.isOpen());
        assertEquals(Phase.CLOSED, h.session.phase());
    }

    @Test
    void shutdownWhileInterceptedDrainsAfterTheWorkerHandsBack() {
        ready();
        AtomicReference<Phase> during = new AtomicReference<>();
        interceptor.duringStatement = () -> {
            h.session.beginShutdown();
            during.set(h.session.phase());
        };
        h.send(Wire.query("select pgml.echo('last')"));
        assertEquals(Phase.INTERCEPTED, during.get(), "the worker keeps the session until its statement ends");
        List<Wire.Msg> replies = h.received();
        assertEquals("TDCZE", Wire.types(replies));
        assertEquals("57P01", replies.get(4).errorField('C'));
        assertEquals(Phase.CLOSED, h.session.phase());
    }

    @Test
    void idleSessionClosesAtOnceOnShutdown() {
        ready();
        h.session.beginShutdown();
        h.settle();
        assertEquals("E", h.receivedTypes());
        assertFalse(h.client.isOpen());
        assertEquals(Phase.CLOSED, h.session.phase());
    }
}

package io.pgmlsidecar.it.wire;

import static io.pgmlsidecar.it.wire.RawPgClient.bind;
import static io.pgmlsidecar.it.wire.RawPgClient.closeStatement;
import static io.pgmlsidecar.it.wire.RawPgClient.copyData;
import static io.pgmlsidecar.it.wire.RawPgClient.copyDone;
import static io.pgmlsidecar.it.wire.RawPgClient.copyFail;
import static io.pgmlsidecar.it.wire.RawPgClient.describePortal;
import static io.pgmlsidecar.it.wire.RawPgClient.describeStatement;
import static io.pgmlsidecar.it.wire.RawPgClient.execute;
import static io.pgmlsidecar.it.wire.RawPgClient.flush;
import static io.pgmlsidecar.it.wire.RawPgClient.parse;
import static io.pgmlsidecar.it.wire.RawPgClient.query;
import static io.pgmlsidecar.it.wire.RawPgClient.sync;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.wire.RawPgClient.BackendMessage;
import io.pgmlsidecar.planner.SidecarVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same hand-encoded message sequences sent to the sidecar and straight to PostgreSQL get
 * identical reply bytes (pgcat's "protocol parity" idea). The one thing normalised is the
 * content of BackendKeyData, which the sidecar replaces with its own cancel key by design; its
 * length and position must still match. Nothing else is per connection in these sequences: they
 * use a shared permanent table (so RowDescription table OIDs agree) and never show backend pids.
 */
class ByteParityTest {

    private static final String TABLE = "parity_t";
    private final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void createTable() throws Exception {
        try (Connection c = TestCluster.get().connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (a int, b text)");
        }
    }

    /** What a conversation does on one connection, after a good startup; it records every reply. */
    interface Conversation {
        void run(Transcript t) throws IOException;
    }

    static final class Transcript {
        final RawPgClient client;
        final List<BackendMessage> received = new ArrayList<>();
        boolean ended;

        Transcript(RawPgClient client) {
            this.client = client;
        }

        Transcript send(byte[]... messages) throws IOException {
            client.send(messages);
            return this;
        }

        Transcript until(char type) throws IOException {
            List<BackendMessage> got = client.readUntil(type);
            received.addAll(got);
            if (got.isEmpty() || got.get(got.size() - 1).type() != type) {
                ended = true;
            }
            return this;
        }

        /** Reads through the ReadyForQuery that ends the current exchange. */
        Transcript ready() throws IOException {
            return until('Z');
        }

        Transcript toEof() throws IOException {
            received.addAll(client.readToEof());
            ended = true;
            return this;
        }
    }

    /** Runs the conversation both ways, asserts identical replies, returns the sidecar's. */
    private List<BackendMessage> assertParity(Conversation conversation) throws IOException {
        List<BackendMessage> direct = runOn(cluster.postgresPort(), conversation);
        List<BackendMessage> sidecar = runOn(cluster.sidecarPort(), conversation);
        List<BackendMessage> d = normalise(direct);
        List<BackendMessage> s = normalise(sidecar);
        assertEquals(RawPgClient.render(d), RawPgClient.render(s), "reply messages differ (direct vs sidecar)");
        assertArrayEquals(RawPgClient.bytes(d), RawPgClient.bytes(s), "reply bytes differ (direct vs sidecar)");
        assertTrue(direct.size() > 5, "the conversation should have produced replies: " + RawPgClient.render(direct));
        return sidecar;
    }

    private static List<String> sqlStates(List<BackendMessage> messages) {
        return messages.stream().filter(m -> m.type() == 'E').map(m -> m.field('C')).toList();
    }

    private static long count(List<BackendMessage> messages, char type) {
        return messages.stream().filter(m -> m.type() == type).count();
    }

    private static List<BackendMessage> runOn(int port, Conversation conversation) throws IOException {
        try (RawPgClient c = RawPgClient.connect(port)) {
            Transcript t = new Transcript(c);
            Map<String, String> params = new LinkedHashMap<>();
            params.put("user", "postgres");
            params.put("database", "postgres");
            params.put("application_name", "byte_parity");
            c.send(RawPgClient.startupMessage(params));
            t.ready();
            conversation.run(t);
            if (!t.ended) {
                t.send(RawPgClient.terminate()).toEof();
            }
            return t.received;
        }
    }

    /** BackendKeyData keeps its length, loses its content; everything else is compared as is. */
    private static List<BackendMessage> normalise(List<BackendMessage> messages) {
        List<BackendMessage> out = new ArrayList<>();
        for (BackendMessage m : messages) {
            out.add(m.type() == 'K' ? m.withBody(new byte[m.body().length]) : m);
        }
        return out;
    }

    // ------------------------------------------------------------------ sequences

    @Test
    void startupAndTerminate() throws IOException {
        assertParity(t -> { });
    }

    @Test
    void simpleQueries() throws IOException {
        assertParity(t -> {
            t.send(query("SELECT 1 AS one, 'x'::text AS t, NULL::int AS n, 1.5::numeric AS num")).ready();
            t.send(query("SELECT g, g * 2 AS twice FROM generate_series(1, 3) g")).ready();
            t.send(query("SELECT 1/0")).ready();
            t.send(query("SELECT 1; SELECT 'two'; TRUNCATE " + TABLE + "; INSERT INTO " + TABLE
                    + " VALUES (1, 'a'), (2, NULL); SELECT * FROM " + TABLE + " ORDER BY a")).ready();
            t.send(query("SELECT 1; SELECT 1/0; SELECT 3")).ready();
            t.send(query("")).ready();
            t.send(query(";")).ready();
            t.send(query("DO $$BEGIN RAISE NOTICE 'hello %', 42; END$$")).ready();
            t.send(query("SET application_name = 'changed'")).ready();
            t.send(query("BEGIN; SELECT no_such_column")).ready();
            t.send(query("SELECT 1")).ready();
            t.send(query("ROLLBACK")).ready();
            // statements that mention the interceptor's trigger word but are not its calls take
            // the session's intercept path and must still be relayed unchanged
            t.send(query("SELECT 'pgml.version()' AS s, 1 AS pgml_like /* pgml.version() */")).ready();
            t.send(query("SELECT pgml.no_such_function()")).ready();
            t.send(query("SELECT 2 AS after_intercept_path")).ready();
        });
    }

    @Test
    void pipelinedExtendedBatchWithErrorMidBatch() throws IOException {
        List<BackendMessage> got = assertParity(t -> {
            t.send(parse("", "SELECT 1 AS a"), bind("", ""), execute("", 0),
                    parse("", "SELEC bad syntax"), bind("", ""), execute("", 0),
                    parse("", "SELECT 3 AS c"), bind("", ""), execute("", 0),
                    sync()).ready();
            t.send(query("SELECT 4 AS after_batch")).ready();
            // the same with a bind error (wrong parameter count) and a runtime error
            t.send(parse("s1", "SELECT $1::int AS v", 0), bind("", "s1", "7"), execute("", 0),
                    bind("", "s1"), execute("", 0),
                    bind("", "s1", "8"), execute("", 0),
                    sync()).ready();
            t.send(parse("", "SELECT 10 / $1::int AS q", 0), bind("", "", "0"), execute("", 0),
                    parse("", "SELECT 5"), bind("", ""), execute("", 0), sync(), sync()).ready().ready();
            // a batch whose statements mention the trigger word (intercept path, relayed)
            t.send(parse("", "SELECT 'pgml' AS w"), bind("", ""), execute("", 0),
                    parse("", "SELECT pgml_nope"), bind("", ""), execute("", 0),
                    parse("", "SELECT 'after'"), bind("", ""), execute("", 0),
                    sync()).ready();
            t.send(query("SELECT 6")).ready();
        });
        // syntax error, bind error, division by zero, undefined column: each skipped the rest of its batch
        assertEquals(List.of("42601", "08P01", "22012", "42703"), sqlStates(got), RawPgClient.render(got));
    }

    @Test
    void describeStatementAndPortal() throws IOException {
        assertParity(t -> {
            t.send(parse("s1", "SELECT $1::int + 1 AS x, 'a'::text AS y", 0), describeStatement("s1"), sync()).ready();
            t.send(bind("p1", "s1", "41"), describePortal("p1"), execute("p1", 0), sync()).ready();
            t.send(parse("s2", "TRUNCATE " + TABLE), describeStatement("s2"),
                    bind("p2", "s2"), describePortal("p2"), execute("p2", 0), sync()).ready();
            t.send(parse("s3", "SELECT a, b FROM " + TABLE + " WHERE a = $1", 23), describeStatement("s3"), sync()).ready();
            t.send(describeStatement("no_such_statement"), sync()).ready();
            t.send(describePortal("no_such_portal"), sync()).ready();
            t.send(closeStatement("s1"), closeStatement("s2"), closeStatement("s3"), closeStatement("never_existed"),
                    RawPgClient.closePortal("p1"), sync()).ready();
            t.send(describeStatement("s1"), sync()).ready();
        });
    }

    @Test
    void portalWithRowLimit() throws IOException {
        List<BackendMessage> got = assertParity(t -> {
            t.send(parse("", "SELECT g FROM generate_series(1, 5) g"), bind("cur", ""), execute("cur", 2), flush()).until('s');
            t.send(execute("cur", 2), flush()).until('s');
            t.send(execute("cur", 2), flush()).until('C');
            t.send(sync()).ready();
            // in a transaction the portal outlives Sync
            t.send(query("BEGIN")).ready();
            t.send(parse("", "SELECT g, 'row ' || g FROM generate_series(1, 5) g"), bind("cur", ""),
                    execute("cur", 2), sync()).ready();
            t.send(execute("cur", 2), sync()).ready();
            t.send(execute("cur", 2), sync()).ready();
            t.send(query("COMMIT")).ready();
        });
        assertEquals(4, count(got, 's'), "PortalSuspended twice per portal: " + RawPgClient.render(got));
    }

    @Test
    void flushWithoutSync() throws IOException {
        assertParity(t -> {
            t.send(parse("", "SELECT 42 AS answer"), bind("", ""), execute("", 0), flush()).until('C');
            t.send(parse("q", "SELECT $1::text AS echo", 0), bind("", "q", "hi"), describePortal(""), execute("", 0), flush())
                    .until('C');
            t.send(parse("", "SELECT * FROM no_such_table"), flush()).until('E');
            t.send(bind("", "q", "skipped"), execute("", 0), flush(), sync()).ready();
        });
    }

    @Test
    void copyInSimpleProtocol() throws IOException {
        assertParity(t -> {
            t.send(query("TRUNCATE " + TABLE)).ready();
            t.send(query("COPY " + TABLE + " FROM STDIN")).until('G');
            t.send(copyData("1\tone\n"), copyData("2\ttwo\n3\t"), copyData("three\n4\t\\N\n"), copyDone()).ready();
            t.send(query("COPY " + TABLE + " TO STDOUT")).ready();
            t.send(query("COPY " + TABLE + " FROM STDIN")).until('G');
            t.send(copyData("not a number\tx\n"), copyDone()).ready();
            t.send(query("COPY " + TABLE + " FROM STDIN (FORMAT csv)")).until('G');
            t.send(copyData("5,five\n"), copyFail("client gave up")).ready();
            t.send(query("SELECT count(*) FROM " + TABLE)).ready();
        });
    }

    @Test
    void copyOutSimpleProtocol() throws IOException {
        assertParity(t -> {
            t.send(query("COPY (SELECT g, 'v' || g FROM generate_series(1, 50) g) TO STDOUT WITH (FORMAT csv, HEADER)")).ready();
            t.send(query("COPY (SELECT repeat('x', 100000)) TO STDOUT")).ready();
            t.send(query("COPY (SELECT 1/0) TO STDOUT")).ready();
        });
    }

    @Test
    void copyInAndOutExtendedProtocol() throws IOException {
        List<BackendMessage> got = assertParity(t -> {
            t.send(query("TRUNCATE " + TABLE)).ready();
            // libpq style: P/B/D/E/S at once; PostgreSQL ignores that Sync during copy-in,
            // so another Sync follows CopyDone
            t.send(parse("", "COPY " + TABLE + " FROM STDIN"), bind("", ""), describePortal(""), execute("", 0), sync())
                    .until('G');
            t.send(copyData("10\tten\n11\televen\n"), copyDone(), sync()).ready();
            // Flush instead of the early Sync
            t.send(parse("", "COPY " + TABLE + " FROM STDIN"), bind("", ""), execute("", 0), flush()).until('G');
            t.send(copyData("12\ttwelve\n"), copyDone(), sync()).ready();
            // CopyFail in the extended protocol
            t.send(parse("", "COPY " + TABLE + " FROM STDIN"), bind("", ""), execute("", 0), sync()).until('G');
            t.send(copyData("13\tthirteen\n"), copyFail("abandoned"), sync()).ready();
            t.send(parse("", "COPY " + TABLE + " TO STDOUT"), bind("", ""), describePortal(""), execute("", 0), sync()).ready();
            t.send(parse("", "COPY (SELECT g FROM generate_series(1, 3) g) TO STDOUT (FORMAT binary)"), bind("", ""),
                    execute("", 0), sync()).ready();
            t.send(query("SELECT a, b FROM " + TABLE + " ORDER BY a")).ready();
        });
        assertEquals(List.of("57014"), sqlStates(got), "only the CopyFail fails: " + RawPgClient.render(got));
        assertEquals(3, count(got, 'G'), RawPgClient.render(got));
        assertEquals(2, count(got, 'H'), "two COPY TO STDOUT: " + RawPgClient.render(got));
    }

    @Test
    void unknownMessageTypeGetsErrorAndClose() throws IOException {
        List<BackendMessage> got = assertParity(t -> t.send(RawPgClient.typed('y', "junk".getBytes(StandardCharsets.US_ASCII))).toEof());
        BackendMessage last = got.get(got.size() - 1);
        assertEquals("FATAL", last.field('S'), RawPgClient.render(got));
        assertEquals("08P01", last.field('C'), RawPgClient.render(got));
    }

    @Test
    void terminateMidBatchClosesCleanly() throws IOException {
        assertParity(t -> t.send(parse("", "SELECT 1"), bind("", ""), RawPgClient.terminate()).toEof());
    }

    /**
     * Not a parity check (PostgreSQL cannot answer pgml.version()): after a libpq-style
     * extended-protocol COPY FROM STDIN, whose first Sync PostgreSQL swallows, the sidecar must
     * still know that nothing is pending and answer an intercepted statement.
     */
    @Test
    void interceptedStatementAnsweredAfterExtendedCopyIn() throws IOException {
        try (RawPgClient c = RawPgClient.connect(cluster.sidecarPort())) {
            c.startupAndWaitReady("postgres", "postgres");
            c.send(parse("", "COPY " + TABLE + " FROM STDIN"), bind("", ""), execute("", 0), sync());
            List<BackendMessage> started = c.readUntil('G');
            assertEquals('G', started.get(started.size() - 1).type(), RawPgClient.render(started));
            c.send(copyData("20\ttwenty\n"), copyDone(), sync());
            List<BackendMessage> done = c.readUntil('Z');
            assertEquals("COPY 1", done.get(0).toString().replaceAll("^C\\[(.*)\\\\0]$", "$1"), RawPgClient.render(done));
            c.send(query("SELECT pgml.version()"));
            List<BackendMessage> reply = c.readUntil('Z');
            assertTrue(RawPgClient.render(reply).contains(SidecarVersion.get()), RawPgClient.render(reply));
            // and the same after a CopyFail in the extended protocol
            c.send(parse("", "COPY " + TABLE + " FROM STDIN"), bind("", ""), execute("", 0), sync());
            c.readUntil('G');
            c.send(copyFail("no"), sync());
            List<BackendMessage> failed = c.readUntil('Z');
            assertEquals("57014", failed.get(0).field('C'), RawPgClient.render(failed));
            c.send(parse("", "SELECT pgml.version()"), bind("", ""), execute("", 0), sync());
            List<BackendMessage> again = c.readUntil('Z');
            assertTrue(RawPgClient.render(again).contains(SidecarVersion.get()), RawPgClient.render(again));
        }
    }
}

package io.pgmlsidecar.it.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.wire.RawPgClient.BackendMessage;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Statements where an API call appears only in text that is not a call — strings (plain, E'', U&'', dollar quoted,
 * with doubled quotes), quoted identifiers, comments (nested, with quotes inside), JSON — must be relayed untouched:
 * PostgreSQL receives them byte for byte (its pg_stat_activity shows exactly the text sent) and the client gets the
 * very bytes PostgreSQL answers to a direct connection, errors included.
 */
class OddSqlParityTest {

    private static final AtomicInteger RUN = new AtomicInteger();
    private final TestCluster cluster = TestCluster.get();

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT 'pgml.embed(''m'', ''x'')' AS s",
            "SELECT 1 AS \"pgml.predict('p', ARRAY[1])\"",
            "SELECT $$pgml.transform('x')$$ AS d, $tag$ pgml.embed('a', 'b') $ $$ $tag$ AS e",
            "SELECT /* pgml.embed('m', 'x') /* nested pgml.predict('p', ARRAY[1]) */ still ' comment */ 2 AS two -- pgml.predict('p', ARRAY[1])\n",
            "SELECT U&'pgml.embed\\0028''m'', ''x''\\0029' AS u",
            "SELECT U&'pgml!002eembed(' UESCAPE '!' AS v",
            "SELECT U&\"pgml\\002eembed\" FROM (SELECT 1 AS \"pgml.embed\") t",
            "SELECT E'pgml.embed(\\'m\\', \\'x\\')' AS e",
            "SELECT 'it''s pgml.embed(' || 'x'')' AS q",
            "SELECT pgml_embed FROM (SELECT 1 AS pgml_embed) t",
            "SELECT '{\"f\": \"pgml.predict(1)\"}'::jsonb ->> 'f' AS j",
            "SELECT 'pgml.embed(' AS a; SELECT $x$;pgml.predict($x$ AS b",
            "SELECT 'a' -- pgml.embed('\n || 'b' AS ab",
            "SELECT 3 /* ' pgml.version() */ AS three",
            "SELECT x AS \"pgml\".\"embed\" FROM (SELECT 1 AS x) t",
            "SELECT U&'\\zzzz pgml.embed(' AS broken",
            "SELECT $a$ unterminated pgml.embed('m', 'x')",
            "SELECT 'pgml.embed(''m'', ''" + "\u00e9\u4e2d\ud83d\ude00" + "'')' AS unicode",
    })
    void textThatLooksLikeACallIsRelayedByteForByte(String sql) throws Exception {
        assertParity(List.of(), sql);
    }

    /**
     * With standard_conforming_strings off, a backslash escapes the quote in a plain string: {@code '\' …} does not
     * end there, so the "call" after it is inside the string. A scanner that ignored the setting would splice it.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT '\\' AS a, pgml.version() AS v --' AS s",
            "SELECT 'x\\'y pgml.embed(\\'m\\', \\'t\\')' AS s",
    })
    void backslashEscapesFollowStandardConformingStrings(String sql) throws Exception {
        assertParity(List.of("SET standard_conforming_strings = off", "SET escape_string_warning = off"), sql);
    }

    /** A real call next to a backslash string the planner would misread: refused clearly, never spliced wrongly. */
    @org.junit.jupiter.api.Test
    void aCallBesideABackslashStringIsRefusedWhileStandardConformingStringsIsOff() throws Exception {
        try (RawPgClient c = RawPgClient.connect(cluster.sidecarPort())) {
            c.startupAndWaitReady("postgres", "postgres");
            c.send(RawPgClient.query("SET standard_conforming_strings = off; SET escape_string_warning = off"));
            c.readUntil('Z');
            c.send(RawPgClient.query("SELECT 'a\\'b' AS s, pgml.version() AS v"));
            List<BackendMessage> replies = c.readUntil('Z');
            BackendMessage error = replies.stream().filter(m -> m.type() == 'E').findFirst()
                    .orElseThrow(() -> new AssertionError(RawPgClient.render(replies)));
            assertEquals("0A000", error.field('C'), RawPgClient.render(replies));
            assertTrue(error.field('H').contains("standard_conforming_strings"), RawPgClient.render(replies));
            // without a backslash the call is served as usual
            c.send(RawPgClient.query("SELECT 'a' AS s, pgml.version() AS v"));
            List<BackendMessage> served = c.readUntil('Z');
            assertTrue(served.stream().anyMatch(m -> m.type() == 'D') && served.stream().noneMatch(m -> m.type() == 'E'),
                    RawPgClient.render(served));
        }
    }

    private void assertParity(List<String> setup, String sql) throws Exception {
        String app = "odd_sql_" + RUN.incrementAndGet();
        List<BackendMessage> direct = conversation(cluster.postgresPort(), app + "_d", setup, sql);
        List<BackendMessage> sidecar = conversation(cluster.sidecarPort(), app + "_s", setup, sql);
        assertEquals(RawPgClient.render(direct), RawPgClient.render(sidecar), "replies differ for " + sql);
        assertArrayEquals(RawPgClient.bytes(direct), RawPgClient.bytes(sidecar), "reply bytes differ for " + sql);
        assertTrue(direct.stream().anyMatch(m -> m.type() == 'Z'), RawPgClient.render(direct));
    }

    /** The replies to {@code sql} after a good startup and {@code setup}; checks PostgreSQL saw {@code sql} exactly. */
    private List<BackendMessage> conversation(int port, String app, List<String> setup, String sql) throws Exception {
        try (RawPgClient c = RawPgClient.connect(port)) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("user", "postgres");
            params.put("database", "postgres");
            params.put("application_name", app);
            c.send(RawPgClient.startupMessage(params));
            c.readUntil('Z');
            for (String s : setup) {
                c.send(RawPgClient.query(s));
                c.readUntil('Z');
            }
            c.send(RawPgClient.query(sql));
            List<BackendMessage> replies = new ArrayList<>(c.readUntil('Z'));
            assertEquals(sql, lastQueryOf(app), "PostgreSQL did not receive the statement byte for byte");
            c.send(RawPgClient.terminate());
            return replies;
        } catch (IOException e) {
            throw new AssertionError("conversation on port " + port + " broke for " + sql, e);
        }
    }

    private String lastQueryOf(String app) throws Exception {
        try (Connection d = cluster.connectDirect(null);
             PreparedStatement ps = d.prepareStatement("SELECT query FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, app);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no backend for " + app);
                return rs.getString(1);
            }
        }
    }
}

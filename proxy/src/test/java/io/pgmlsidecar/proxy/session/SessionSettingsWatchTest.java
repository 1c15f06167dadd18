package io.pgmlsidecar.proxy.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.proxy.intercept.SessionSettings;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SessionSettingsWatchTest {

    private static boolean mentions(String sql) {
        ByteBuf buf = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
        try {
            return SessionSettingsWatch.mentions(buf, buf.readerIndex(), buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    @Test
    void statementsThatMayChangeTheTimeoutOrTheRoleAreNoticed() {
        for (String sql : new String[] {"SET statement_timeout = '1s'", "set local STATEMENT_TIMEOUT to 5",
                "SELECT set_config('statement_timeout', '10', false)", "RESET ALL", "reset role", "DISCARD ALL",
                "SET ROLE app", "SET\n\tROLE app", "SET SESSION AUTHORIZATION bob", "BEGIN; SET LOCAL ROLE x; COMMIT",
                "/* c */ set role app"}) {
            assertTrue(mentions(sql), sql);
        }
    }

    @Test
    void ordinaryStatementsAreNot() {
        for (String sql : new String[] {"SELECT 1", "SELECT * FROM t OFFSET 5", "INSERT INTO t VALUES ('x')",
                "SELECT rolname FROM pg_roles", "UPDATE t SET x = 1", "SELECT offset_role FROM t"}) {
            assertFalse(mentions(sql), sql);
        }
    }

    @Test
    void aChangeInsideATransactionIsReadBeforeEveryStatementThenOnceAfter() {
        SessionSettingsWatch watch = new SessionSettingsWatch();
        assertTrue(watch.needsReading(TransactionStatus.IDLE), "never read");
        watch.read(new SessionSettings(0, "alice"));
        assertFalse(watch.needsReading(TransactionStatus.IDLE));

        ByteBuf set = Unpooled.copiedBuffer("SET LOCAL statement_timeout = 100", StandardCharsets.UTF_8);
        watch.relayed(set, 0, set.writerIndex());
        set.release();
        watch.readyForQuery(TransactionStatus.IN_TRANSACTION);
        assertTrue(watch.needsReading(TransactionStatus.IN_TRANSACTION));
        watch.read(new SessionSettings(100, "alice"));
        assertTrue(watch.needsReading(TransactionStatus.IN_TRANSACTION), "a ROLLBACK TO SAVEPOINT would undo it unseen");
        watch.readyForQuery(TransactionStatus.IDLE);
        assertTrue(watch.needsReading(TransactionStatus.IDLE), "the transaction's end undid SET LOCAL");
        watch.read(new SessionSettings(0, "alice"));
        assertFalse(watch.needsReading(TransactionStatus.IDLE));
    }

    @Test
    void postgresDisplaysOfMillisecondsAreRead() {
        assertEquals(0, SessionSettings.parseMillis("0"));
        assertEquals(1500, SessionSettings.parseMillis("1500ms"));
        assertEquals(5000, SessionSettings.parseMillis("5s"));
        assertEquals(120_000, SessionSettings.parseMillis("2min"));
        assertEquals(3_600_000, SessionSettings.parseMillis("1h"));
        assertEquals(86_400_000, SessionSettings.parseMillis("1d"));
    }
}

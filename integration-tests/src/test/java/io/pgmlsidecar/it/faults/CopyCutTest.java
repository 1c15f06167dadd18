package io.pgmlsidecar.it.faults;

import static io.pgmlsidecar.it.faults.Faults.assertConnectionFailure;
import static io.pgmlsidecar.it.faults.Faults.assertWorks;
import static io.pgmlsidecar.it.faults.Faults.directLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.FaultyRelay.Direction;
import io.pgmlsidecar.it.support.NoBufferLeaks;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/** The link to PostgreSQL breaks in the middle of COPY FROM STDIN through the sidecar: an error, and no row of it stays. */
@ExtendWith(NoBufferLeaks.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CopyCutTest {

    private static final int ROWS = 200_000;

    @Test
    void cutMidCopyLeavesNoPartialRows() throws Exception {
        try (FaultyUpstream up = new FaultyUpstream()) {
            Connection c = up.connect("it_faults_copy");
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS it_faults_copied");
                s.execute("CREATE TABLE it_faults_copied (id int, body text)");
                up.relay.cutAfterBytes(Direction.TO_SERVER, 2_000_000); // of ~6 MB of rows
                SQLException e = assertThrows(SQLException.class, () -> ((PGConnection) c).getCopyAPI()
                        .copyIn("COPY it_faults_copied FROM STDIN", rows(ROWS)));
                assertConnectionFailure(e);
                assertTrue(up.relay.fired(Direction.TO_SERVER));
            } finally {
                Faults.closeBroken(c);
            }
            Faults.awaitNoBackends("it_faults_copy");
            assertEquals(0, directLong("SELECT count(*) FROM it_faults_copied"), "no row of the broken COPY is visible");
            up.relay.restore();
            assertWorks(up);
            try (Connection again = up.connect("it_faults_copy_again")) {
                long copied = ((PGConnection) again).getCopyAPI().copyIn("COPY it_faults_copied FROM STDIN", rows(ROWS));
                assertEquals(ROWS, copied, "the same COPY succeeds once the link is back");
            }
            assertEquals(ROWS, directLong("SELECT count(*) FROM it_faults_copied"));
        }
    }

    /** {@code n} rows of COPY text, generated as they are read. */
    private static Reader rows(int n) {
        return new Reader() {
            private int next;
            private String pending = "";
            private int at;

            @Override
            public int read(char[] buf, int off, int len) {
                if (at == pending.length()) {
                    if (next == n) {
                        return -1;
                    }
                    pending = next + "\t" + "row body " + next + " ".repeat(10) + "\n";
                    next++;
                    at = 0;
                }
                int k = Math.min(len, pending.length() - at);
                pending.getChars(at, at + k, buf, off);
                at += k;
                return k;
            }

            @Override
            public void close() {}
        };
    }
}

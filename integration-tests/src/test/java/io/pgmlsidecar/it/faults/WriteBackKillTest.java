package io.pgmlsidecar.it.faults;

import static io.pgmlsidecar.it.faults.Faults.assertConnectionFailure;
import static io.pgmlsidecar.it.faults.Faults.assertServerReportedConnectionFailure;
import static io.pgmlsidecar.it.faults.Faults.directLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.FaultyRelay.Direction;
import io.pgmlsidecar.it.support.NoBufferLeaks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An S3 write-back ({@code UPDATE t SET col = pgml.predict(...)} over many rows) broken off — the
 * client killed, or the link to PostgreSQL cut — while the sidecar reads, infers or applies: the
 * rows are all updated or none, and no backend connection is left behind.
 */
@ExtendWith(NoBufferLeaks.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WriteBackKillTest {

    private static final String TABLE = "it_faults_wb";
    private static final int ROWS = 150 * 200;
    private static final String UPDATE = "UPDATE " + TABLE + " SET prediction = pgml.predict('it_faults_wb_model', "
            + "ARRAY[sepal_length, sepal_width, petal_length, petal_width])";

    @BeforeAll
    static void trainAModel() throws Exception {
        try (FaultyUpstream up = new FaultyUpstream(); Connection c = up.connect("it_faults_wb_setup"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
            s.executeQuery("SELECT * FROM pgml.train('it_faults_wb_model', 'classification', 'pgml.iris', 'target', 'xgboost')").close();
        }
    }

    @Test
    void clientKilledWhileTheSidecarReadsTheRowsUpdatesNone() throws Exception {
        assertEquals(0, killClientWhen("FOR UPDATE OF " + TABLE), "the transaction rolled back: no row updated");
    }

    @Test
    void clientKilledAsTheSidecarAppliesTheResultsUpdatesAllOrNone() throws Exception {
        long updated = killClientWhen(UPDATE.substring(0, ("UPDATE " + TABLE + " SET").length()));
        assertTrue(updated == 0 || updated == ROWS, "all rows or none, not " + updated);
    }

    @Test
    void upstreamCutAsTheSidecarAppliesTheResultsUpdatesNone() throws Exception {
        try (FaultyUpstream up = new FaultyUpstream()) {
            freshTable(up);
            up.relay.cutOnPattern(Direction.TO_SERVER, "UPDATE " + TABLE + " SET");
            Connection c = up.connect("it_faults_wb_cut");
            try (Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate(UPDATE));
                assertServerReportedConnectionFailure(e);
            } finally {
                Faults.closeBroken(c);
            }
            Faults.awaitNoBackends("it_faults_wb_cut");
            assertEquals(0, updatedRows());
            up.relay.restore();
            assertUpdatesAll(up);
        }
    }

    /** Runs the UPDATE through the client-side relay, kills the client when the sidecar sends {@code pattern} upstream; the rows updated. */
    private static long killClientWhen(String pattern) throws Exception {
        try (FaultyUpstream up = new FaultyUpstream()) {
            freshTable(up);
            up.relay.whenPattern(Direction.TO_SERVER, pattern, () -> {
                try {
                    up.clientSide().cutAll();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Connection c = up.connectThroughClientSide("it_faults_wb_kill");
            try (Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate(UPDATE));
                assertConnectionFailure(e);
            } finally {
                Faults.closeBroken(c);
            }
            assertTrue(up.relay.fired(Direction.TO_SERVER), "the sidecar sent " + pattern);
            Faults.awaitNoBackends("it_faults_wb_kill");
            // the relay's own threads see the close a moment after PostgreSQL does
            for (int i = 0; i < 1000 && up.relay.liveConnections() > 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(0, up.relay.liveConnections(), "the sidecar closed its backend connection of the killed client");
            long updated = updatedRows();
            up.relay.restore();
            freshTable(up);
            assertUpdatesAll(up);
            return updated;
        }
    }

    private static void freshTable(FaultyUpstream up) throws SQLException {
        try (Connection c = up.connect("it_faults_wb_setup"); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " AS SELECT i.*, NULL::real AS prediction FROM pgml.iris i, generate_series(1, 200)");
        }
    }

    private static long updatedRows() throws SQLException {
        return directLong("SELECT count(*) FROM " + TABLE + " WHERE prediction IS NOT NULL");
    }

    private static void assertUpdatesAll(FaultyUpstream up) throws SQLException {
        try (Connection c = up.connect("it_faults_wb_again"); Statement s = c.createStatement()) {
            assertEquals(ROWS, s.executeUpdate(UPDATE));
        }
        assertEquals(ROWS, updatedRows());
    }
}

package io.pgmlsidecar.it.faults;

import static io.pgmlsidecar.it.faults.Faults.assertConnectionFailure;
import static io.pgmlsidecar.it.faults.Faults.assertServerReportedConnectionFailure;
import static io.pgmlsidecar.it.faults.Faults.assertWorks;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.FaultyRelay.Direction;
import io.pgmlsidecar.it.support.NoBufferLeaks;
import io.pgmlsidecar.it.support.UpstreamActivity;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The link between sidecar and PostgreSQL breaks while a statement runs: the client gets a
 * connection-failure error, not a hang, and new connections work once the link is back.
 */
@ExtendWith(NoBufferLeaks.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpstreamCutTest {

    @Test
    void cutWhileARelayedSelectStreamsRows() throws Exception {
        try (FaultyUpstream up = new FaultyUpstream()) {
            try (Connection c = up.connect("it_faults_select"); Statement s = c.createStatement()) {
                up.relay.cutAfterBytes(Direction.TO_CLIENT, 1_000_000); // mid-stream, most likely mid-DataRow
                SQLException e = assertThrows(SQLException.class, () -> drain(s.executeQuery(
                        "SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g")));
                assertConnectionFailure(e);
                assertTrue(up.relay.fired(Direction.TO_CLIENT));
            }
            up.relay.restore();
            assertWorks(up);
        }
    }

    @Test
    void cutWhileARelayedStatementWaitsReportsTheLossToTheClient() throws Exception {
        try (FaultyUpstream up = new FaultyUpstream()) {
            try (Connection c = up.connect("it_faults_sleep"); Statement s = c.createStatement()) {
                CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
                    try {
                        s.execute("SELECT pg_sleep(60)");
                    } catch (SQLException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                UpstreamActivity.await("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'it_faults_sleep' "
                        + "AND query LIKE 'SELECT pg_sleep%' AND state = 'active'", "the sleep never started upstream");
                up.relay.goDown();
                java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> sleeping.get(30, TimeUnit.SECONDS));
                assertServerReportedConnectionFailure((SQLException) failed.getCause());
            }
            // while PostgreSQL cannot be reached, a new client is told so
            SQLException refused = assertThrows(SQLException.class, () -> up.connect("it_faults_down").close());
            assertServerReportedConnectionFailure(refused);
            up.relay.restore();
            assertWorks(up);
        }
    }

    @Test
    void cutWhilePredictStreamsRowsThroughTheSidecar() throws Exception {
        try (FaultyUpstream up = new FaultyUpstream()) {
            try (Connection c = up.connect("it_faults_predict"); Statement s = c.createStatement()) {
                s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
                s.executeQuery("SELECT * FROM pgml.train('it_faults_iris', 'classification', 'pgml.iris', 'target', 'xgboost')").close();
                up.relay.cutAfterBytes(Direction.TO_CLIENT, 300_000);
                SQLException e = assertThrows(SQLException.class, () -> drain(s.executeQuery(
                        "SELECT pgml.predict('it_faults_iris', ARRAY[sepal_length, sepal_width, petal_length, petal_width]) "
                                + "FROM pgml.iris, generate_series(1, 2000)")));
                assertServerReportedConnectionFailure(e);
            }
            up.relay.restore();
            assertWorks(up);
            try (Connection c = up.connect("it_faults_predict_after"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pgml.predict('it_faults_iris', ARRAY[5.1, 3.5, 1.4, 0.2]::real[])")) {
                assertTrue(rs.next());
                assertTrue(rs.getFloat(1) == 0f, "setosa");
            }
        }
    }

    private static void drain(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                rs.getString(1);
            }
        }
    }
}

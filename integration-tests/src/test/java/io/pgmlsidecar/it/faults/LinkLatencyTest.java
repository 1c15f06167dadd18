package io.pgmlsidecar.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.NoBufferLeaks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 50 ms each way between sidecar and PostgreSQL, and 20 ms each way between client and sidecar:
 * relayed and served statements still give the right answers.
 */
@ExtendWith(NoBufferLeaks.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LinkLatencyTest {

    @Test
    void statementsSucceedWithRightResultsOverASlowLink() throws Exception {
        try (FaultyUpstream up = new FaultyUpstream()) {
            try (Connection c = up.connect("it_faults_latency_setup"); Statement s = c.createStatement()) {
                s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
                s.executeQuery("SELECT * FROM pgml.train('it_faults_latency', 'classification', 'pgml.iris', 'target', 'xgboost')").close();
            }
            up.relay.latency(Duration.ofMillis(50));
            up.clientSide().latency(Duration.ofMillis(20));
            long started = System.nanoTime();
            try (Connection c = up.connectThroughClientSide("it_faults_latency"); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT sum(g), count(*) FROM generate_series(1, 100000) g")) {
                    assertTrue(rs.next());
                    assertEquals(5000050000L, rs.getLong(1));
                    assertEquals(100000, rs.getLong(2));
                }
                int correct = 0;
                int total = 0;
                try (ResultSet rs = s.executeQuery("SELECT target, pgml.predict('it_faults_latency', "
                        + "ARRAY[sepal_length, sepal_width, petal_length, petal_width]) FROM pgml.iris")) {
                    while (rs.next()) {
                        total++;
                        correct += rs.getInt(1) == Math.round(rs.getFloat(2)) ? 1 : 0;
                    }
                }
                assertEquals(150, total);
                assertTrue(correct >= 140, "accuracy on the training data " + correct + "/150");
                c.setAutoCommit(false);
                s.execute("CREATE TEMP TABLE it_latency_scored AS SELECT *, NULL::real AS prediction FROM pgml.iris");
                assertEquals(150, s.executeUpdate("UPDATE it_latency_scored SET prediction = pgml.predict('it_faults_latency', "
                        + "ARRAY[sepal_length, sepal_width, petal_length, petal_width])"));
                c.commit();
                try (PreparedStatement ps = c.prepareStatement("SELECT pgml.predict(?, ?::real[])")) {
                    ps.setString(1, "it_faults_latency");
                    ps.setString(2, "{5.1,3.5,1.4,0.2}");
                    for (int i = 0; i < 6; i++) { // past pgjdbc's prepare threshold: named statements too
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals(0f, rs.getFloat(1));
                        }
                    }
                }
            }
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(elapsedMs >= 140 * 5, "the latency was really there: " + elapsedMs + " ms for many round trips");
        }
    }
}

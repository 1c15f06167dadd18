package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** NotificationResponse messages arrive asynchronously, between queries; the sidecar must relay them. */
class PgjdbcListenNotifyTest {

    private static final TestCluster cluster = TestCluster.get();

    @Test
    void notifyReachesListenerThroughTheSidecar() throws Exception {
        try (Connection listener = cluster.connect(null); Connection notifier = cluster.connect(null)) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN it_jdbc_channel");
            }
            int notifierPid;
            try (Statement s = notifier.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                notifierPid = rs.getInt(1);
                s.execute("NOTIFY it_jdbc_channel, 'hello'");
                s.execute("SELECT pg_notify('it_jdbc_channel', 'wörld ✓')");
                s.execute("NOTIFY it_jdbc_other_channel, 'not for us'");
            }
            // no query on the listener: the notifications arrive on their own and the driver reads them
            List<PGNotification> got = receive(listener, 2, 5000);
            assertEquals(2, got.size(), got.toString());
            assertEquals("it_jdbc_channel", got.get(0).getName());
            assertEquals("hello", got.get(0).getParameter());
            assertEquals("wörld ✓", got.get(1).getParameter());
            // the PID is PostgreSQL's backend process id of the notifier
            assertEquals(notifierPid, got.get(0).getPID());
        }
    }

    @Test
    void notifyInsideTransactionIsDeliveredOnCommitOnly() throws Exception {
        try (Connection listener = cluster.connect("prepareThreshold=1"); Connection notifier = cluster.connect(null)) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN it_jdbc_tx_channel");
            }
            notifier.setAutoCommit(false);
            try (Statement s = notifier.createStatement()) {
                s.execute("NOTIFY it_jdbc_tx_channel, 'rolled back'");
                notifier.rollback();
                s.execute("NOTIFY it_jdbc_tx_channel, 'committed'");
                notifier.commit();
            }
            List<PGNotification> got = receive(listener, 1, 5000);
            assertEquals(1, got.size());
            assertEquals("committed", got.get(0).getParameter());
            // nothing more comes
            PGNotification[] more = listener.unwrap(PGConnection.class).getNotifications(300);
            assertTrue(more == null || more.length == 0);
            // UNLISTEN stops delivery
            try (Statement s = listener.createStatement()) {
                s.execute("UNLISTEN it_jdbc_tx_channel");
            }
            try (Statement s = notifier.createStatement()) {
                s.execute("NOTIFY it_jdbc_tx_channel, 'after unlisten'");
                notifier.commit();
            }
            PGNotification[] after = listener.unwrap(PGConnection.class).getNotifications(500);
            assertTrue(after == null || after.length == 0);
        }
    }

    private static List<PGNotification> receive(Connection c, int expected, long timeoutMillis) throws Exception {
        PGConnection pg = c.unwrap(PGConnection.class);
        List<PGNotification> got = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (got.size() < expected && System.currentTimeMillis() < deadline) {
            PGNotification[] batch = pg.getNotifications((int) Math.max(1, deadline - System.currentTimeMillis()));
            if (batch != null) {
                got.addAll(List.of(batch));
            }
        }
        return got;
    }
}

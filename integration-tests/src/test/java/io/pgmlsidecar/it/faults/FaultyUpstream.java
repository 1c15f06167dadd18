package io.pgmlsidecar.it.faults;

import io.pgmlsidecar.it.support.FaultyRelay;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.proxy.ProxyServer;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A sidecar of its own whose sessions reach the shared PostgreSQL through a {@link FaultyRelay};
 * its deployment listener connects to PostgreSQL directly, so that only sessions see the faults.
 */
final class FaultyUpstream implements AutoCloseable {

    final TestCluster cluster = TestCluster.get();
    final FaultyRelay relay;
    final ProxyServer sidecar;
    /** A relay in front of the sidecar, for tests that kill the client's side; made on first use. */
    private FaultyRelay clientSide;

    FaultyUpstream() throws IOException, InterruptedException {
        relay = new FaultyRelay(cluster.postgresPort());
        sidecar = TestCluster.startSidecarBehindPool(relay.port(), cluster.postgresPort());
    }

    String jdbcUrl(String applicationName) {
        return "jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres?ApplicationName=" + applicationName;
    }

    /** pgjdbc through this sidecar (and the relay) as postgres. */
    Connection connect(String applicationName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return DriverManager.getConnection(jdbcUrl(applicationName), p);
    }

    /** The relay between clients and this sidecar. */
    synchronized FaultyRelay clientSide() throws IOException {
        if (clientSide == null) {
            clientSide = new FaultyRelay(sidecar.port());
        }
        return clientSide;
    }

    /** pgjdbc through the client-side relay, then this sidecar and its upstream relay, as postgres. */
    Connection connectThroughClientSide(String applicationName) throws SQLException, IOException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + clientSide().port()
                + "/postgres?ApplicationName=" + applicationName, p);
    }

    @Override
    public synchronized void close() throws IOException {
        if (clientSide != null) {
            clientSide.close();
        }
        sidecar.close();
        relay.close();
    }
}

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

    @Override
    public void close() throws IOException {
        sidecar.close();
        relay.close();
    }
}

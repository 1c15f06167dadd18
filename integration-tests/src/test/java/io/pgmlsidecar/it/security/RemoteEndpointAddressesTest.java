package io.pgmlsidecar.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.EndpointStandIn;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.ml.remote.EndpointAddressPolicy;
import io.pgmlsidecar.proxy.ProxyServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests a role causes to remote endpoints: never to the cloud metadata service, the sidecar's host or the private
 * network unless the operator allows it (--remote-allow), and never with a key stored in another database.
 */
class RemoteEndpointAddressesTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String KEY = "sk-victim-8f3e1c";
    private static ProxyServer publicOnly;

    @BeforeAll
    static void startPublicOnlySidecar() throws Exception {
        publicOnly = TestCluster.startSidecar(CLUSTER.postgresPort(), null, TestCluster.transforms(), EndpointAddressPolicy.publicOnly());
    }

    @AfterAll
    static void stop() {
        publicOnly.close();
    }

    private static Connection viaPublicOnly() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + publicOnly.port() + "/postgres", "postgres", "");
    }

    private static void set(Statement s, String key, String value) throws SQLException {
        try (PreparedStatement ps = s.getConnection().prepareStatement("SELECT azure_ai.set_setting(?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeQuery().close();
        }
    }

    @Test
    void azureMlInvokeRefusesNonPublicEndpointsUnlessTheOperatorAllowsThem() throws Exception {
        try (EndpointStandIn standIn = new EndpointStandIn(); Connection c = viaPublicOnly(); Statement s = c.createStatement()) {
            String port = standIn.url("").replaceAll(".*:", "");
            set(s, "azure_ml.endpoint_key", KEY);
            for (String url : List.of("http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                    "http://[fd00:ec2::254]/latest/meta-data/", "http://metadata.google.internal/computeMetadata/v1/",
                    "http://[::ffff:169.254.169.254]/", "http://10.1.2.3/score", standIn.url("/score"),
                    "http://localhost:" + port + "/score")) {
                set(s, "azure_ml.scoring_endpoint", url);
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT azure_ml.invoke('{\"x\": 1}')").close(), url);
                assertEquals("42501", e.getSQLState(), url + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("non-public address"), e.getMessage());
                assertTrue(e.getMessage().contains("--remote-allow"), "the hint names the operator's option: " + e.getMessage());
                assertFalse(e.getMessage().contains(KEY));
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertTrue(rs.next(), "the connection stays usable");
                }
            }
            assertEquals(0, standIn.requests().size(), "nothing reached the loopback stand-in");
        }
        // the test sidecars' operator allows 127.0.0.1: the same stand-in URL is served there
        try (EndpointStandIn standIn = new EndpointStandIn(); Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            set(s, "azure_ml.scoring_endpoint", standIn.url("/score"));
            try (ResultSet rs = s.executeQuery("SELECT azure_ml.invoke('{\"x\": 1}')")) {
                assertTrue(rs.next());
                assertEquals("{\"x\": 1}", rs.getString(1));
            }
            assertEquals(1, standIn.requests().size());
        } finally {
            try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
                set(s, "azure_ml.scoring_endpoint", null);
                set(s, "azure_ml.endpoint_key", null);
            }
        }
    }

    @Test
    void remoteModelRowsPointingAtMetadataAreRefused() throws Exception {
        try (Connection c = viaPublicOnly(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM pgml.remote_models WHERE name = 'metadata-embedder'");
            s.execute("INSERT INTO pgml.remote_models (name, provider, url, model) VALUES "
                    + "('metadata-embedder', 'openai', 'http://169.254.169.254/v1', 'm')");
            try {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT pgml.embed('metadata-embedder', 'x')").close());
                assertEquals("42501", e.getSQLState(), e.getMessage());
                set(s, "remote.openai.base_url", "http://169.254.169.254/v1");
                e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT pgml.embed('openai:text-embedding-3-small', 'x')").close());
                assertEquals("42501", e.getSQLState(), e.getMessage());
            } finally {
                s.execute("DELETE FROM pgml.remote_models WHERE name = 'metadata-embedder'");
                set(s, "remote.openai.base_url", null);
            }
        }
    }

    /**
     * Every role can read a setting's ciphertext (model calls need it), and a role owns the settings table of a database
     * it owns. A key copied from one database into another must not be decrypted there and sent to the URL its owner set.
     */
    @Test
    void aKeyCopiedIntoAnotherDatabaseIsNeverSent() throws Exception {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS mallory_db");
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mallory') THEN CREATE ROLE mallory LOGIN; END IF; END $$");
            s.execute("CREATE DATABASE mallory_db OWNER mallory");
        }
        // the pgml and azure_ai schemas in mallory's database, created by mallory (as a first use by her would)
        io.pgmlsidecar.catalog.CatalogMigrator.migrate("jdbc:postgresql://127.0.0.1:" + CLUSTER.postgresPort() + "/mallory_db", "mallory", "");
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            set(s, "remote.openai.api_key", KEY);
        }
        String stolen;
        try (Connection c = DriverManager.getConnection(CLUSTER.directJdbcUrl(null), "mallory", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT encode(azure_ai.sidecar_encrypted_setting('remote.openai.api_key'), 'hex')")) {
            assertTrue(rs.next());
            stolen = rs.getString(1);
            assertNotNull(stolen, "the premise: any role reads the ciphertext");
        }
        try (EndpointStandIn standIn = new EndpointStandIn();
             Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + CLUSTER.sidecarPort() + "/mallory_db", "mallory", "");
             Statement s = c.createStatement()) {
            set(s, "remote.openai.base_url", standIn.url("/v1"));
            s.execute("INSERT INTO azure_ai.sidecar_settings (key, value) VALUES ('remote.openai.api_key', decode('" + stolen + "', 'hex'))");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT pgml.embed('openai:text-embedding-3-small', 'x')").close());
            assertEquals("39000", e.getSQLState(), e.getMessage());
            e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT azure_ai.get_setting('remote.openai.api_key')").close());
            assertEquals("39000", e.getSQLState(), e.getMessage());
            assertFalse(e.getMessage().contains(KEY));
            assertEquals(0, standIn.requests().size(), "no request, so the key went nowhere");
        } finally {
            try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
                set(s, "remote.openai.api_key", null);
            }
            try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS mallory_db WITH (FORCE)");
            }
        }
    }
}

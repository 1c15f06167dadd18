package io.pgmlsidecar.it.wire;

import static io.pgmlsidecar.it.wire.RawPgClient.query;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.ExternalProcess;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.wire.RawPgClient.BackendMessage;
import io.pgmlsidecar.proxy.ProxyServer;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SSL/GSS negotiation, TLS termination, SCRAM through TLS, cancel keys, timeouts, upstream down. */
class StartupSecurityTest {

    private static final TestCluster cluster = TestCluster.get();
    private static ProxyServer tlsSidecar;

    @TempDir
    static Path certDir;

    @BeforeAll
    static void startTlsSidecar() throws Exception {
        File cert = certDir.resolve("c.pem").toFile();
        File key = certDir.resolve("k.pem").toFile();
        ExternalProcess.Result r = ExternalProcess.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.getPath(), "-out", cert.getPath(), "-days", "1", "-subj", "/CN=localhost"),
                Map.of(), certDir, Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), "openssl req failed: " + r);
        assertTrue(Files.readString(key.toPath()).contains("BEGIN PRIVATE KEY"), "the key must be PKCS#8 PEM");
        io.netty.handler.ssl.SslContext ssl = io.pgmlsidecar.proxy.tls.ServerTls.forServer(cert, key);
        tlsSidecar = TestCluster.startSidecar(cluster.postgresPort(), cfg -> cfg.withSsl(ssl));
    }

    @AfterAll
    static void stopTlsSidecar() {
        if (tlsSidecar != null) {
            tlsSidecar.close();
        }
    }

    // ------------------------------------------------------------------ SSLRequest / GSSENCRequest

    @Test
    void sslRequestWithoutTlsIsAnsweredNThenStartupWorks() throws IOException {
        try (RawPgClient c = RawPgClient.connect(cluster.sidecarPort())) {
            c.send(RawPgClient.sslRequest());
            assertEquals('N', c.readByte());
            c.startupAndWaitReady("postgres", "postgres");
            assertSelectOne(c);
        }
    }

    @Test
    void gssEncRequestIsAnsweredNThenStartupWorks() throws IOException {
        try (RawPgClient c = RawPgClient.connect(cluster.sidecarPort())) {
            c.send(RawPgClient.gssEncRequest());
            assertEquals('N', c.readByte());
            // libpq then tries SSL on the same connection before the StartupMessage
            c.send(RawPgClient.sslRequest());
            assertEquals('N', c.readByte());
            c.startupAndWaitReady("postgres", "postgres");
            assertSelectOne(c);
        }
    }

    private static void assertSelectOne(RawPgClient c) throws IOException {
        c.send(query("SELECT 1 AS one"));
        List<BackendMessage> reply = c.readUntil('Z');
        assertEquals("TDCZ", types(reply), RawPgClient.render(reply));
    }

    private static String types(List<BackendMessage> messages) {
        StringBuilder s = new StringBuilder();
        messages.forEach(m -> s.append((char) m.type()));
        return s.toString();
    }

    // ------------------------------------------------------------------ TLS termination

    @Test
    void pgjdbcWithSslModeRequire() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("sslmode", "require");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + tlsSidecar.port() + "/postgres", p);
             PreparedStatement ps = c.prepareStatement("SELECT ?::int * 2 AS twice, current_user")) {
            for (int i = 1; i <= 6; i++) { // crosses pgjdbc's prepareThreshold
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(2 * i, rs.getInt(1));
                    assertEquals("postgres", rs.getString(2));
                }
            }
        }
    }

    @Test
    void rawTlsHandshakeThenStartup() throws Exception {
        try (RawPgClient c = RawPgClient.connect(tlsSidecar.port())) {
            c.send(RawPgClient.sslRequest());
            assertEquals('S', c.readByte());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(c.socket(), "localhost", tlsSidecar.port(), true);
            tls.startHandshake();
            X509Certificate peer = (X509Certificate) tls.getSession().getPeerCertificates()[0];
            assertTrue(peer.getSubjectX500Principal().getName().contains("CN=localhost"), peer.toString());
            assertTrue(tls.getSession().getProtocol().startsWith("TLS"), tls.getSession().getProtocol());
            c.replaceStreams(tls.getInputStream(), tls.getOutputStream());
            c.startupAndWaitReady("postgres", "postgres");
            assertSelectOne(c);
        }
    }

    /**
     * OpenSSL speaks PostgreSQL's SSLRequest itself ({@code -starttls postgres}): each probe offers
     * only one protocol or cipher, so the server's policy alone decides (ServerTls).
     */
    @Test
    void onlyTls12And13WithForwardSecretAeadCiphersAreOffered() throws Exception {
        for (List<String> refused : List.of(List.of("-tls1_2", "-cipher", "AES128-GCM-SHA256"), // RSA key exchange: no forward secrecy
                List.of("-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256"), // CBC
                List.of("-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"),
                List.of("-tls1_1", "-cipher", "ALL:@SECLEVEL=0"), List.of("-tls1", "-cipher", "ALL:@SECLEVEL=0"))) {
            String out = handshake(refused.toArray(new String[0]));
            assertFalse(out.contains("CONNECTION ESTABLISHED"), "refused: " + refused + "\n" + out);
        }
        String tls13 = handshake("-tls1_3");
        assertTrue(tls13.contains("CONNECTION ESTABLISHED") && tls13.contains("Protocol version: TLSv1.3"), tls13);
        String gcm = handshake("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
        assertTrue(gcm.contains("CONNECTION ESTABLISHED") && gcm.contains("Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256"), gcm);
        String chacha = handshake("-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305");
        assertTrue(chacha.contains("CONNECTION ESTABLISHED") && chacha.contains("CHACHA20"), chacha);
    }

    private String handshake(String... options) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-starttls", "postgres",
                "-connect", "127.0.0.1:" + tlsSidecar.port(), "-brief"));
        cmd.addAll(List.of(options));
        ExternalProcess.Result r = ExternalProcess.run(cmd, Map.of(), certDir, Duration.ofSeconds(30));
        return r.stdout() + r.stderr();
    }

    @Test
    void plaintextBytesPipelinedAfterSslRequestAreRejected() throws IOException {
        // CVE-2021-23214 style: bytes sent before the TLS handshake must not be taken as the startup
        try (RawPgClient c = RawPgClient.connect(tlsSidecar.port())) {
            c.send(RawPgClient.sslRequest(), RawPgClient.startupMessage(Map.of("user", "postgres", "database", "postgres")));
            List<BackendMessage> reply = c.readToEof();
            assertEquals(1, reply.size(), RawPgClient.render(reply));
            assertEquals('E', reply.get(0).type());
            assertEquals("08P01", reply.get(0).field('C'));
        }
    }

    @Test
    void psqlWithSslModeRequire() throws Exception {
        ExternalProcess.Result r = psql(tlsSidecar.port(), "postgres", Map.of("PGSSLMODE", "require"),
                "SELECT 40 + 2", "\\conninfo");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("42"), r.toString());
        assertTrue(r.stdout().contains("SSL connection"), "psql should report a TLS connection: " + r);
    }

    @Test
    void scramOverTlsWithChannelBindingRequireFailsClearly() throws Exception {
        ExternalProcess.Result r = psql(tlsSidecar.port(), TestCluster.SCRAM_USER,
                Map.of("PGSSLMODE", "require", "PGCHANNELBINDING", "require", "PGPASSWORD", TestCluster.PASSWORD),
                "SELECT 1");
        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("channel binding"), "libpq should say why: " + r);
    }

    @Test
    void scramOverTlsWithChannelBindingPreferOrDisableWorks() throws Exception {
        for (String mode : List.of("prefer", "disable")) {
            ExternalProcess.Result r = psql(tlsSidecar.port(), TestCluster.SCRAM_USER,
                    Map.of("PGSSLMODE", "require", "PGCHANNELBINDING", mode, "PGPASSWORD", TestCluster.PASSWORD),
                    "SELECT current_user || ' over ' || 'tls'", "\\conninfo");
            assertEquals(0, r.exitCode(), "channel_binding=" + mode + ": " + r);
            assertTrue(r.stdout().contains(TestCluster.SCRAM_USER + " over tls"), r.toString());
            assertTrue(r.stdout().contains("SSL connection"), r.toString());
        }
    }

    @Test
    void md5UserThroughPlainSidecarWithPgjdbc() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", TestCluster.MD5_USER);
        p.setProperty("password", TestCluster.PASSWORD);
        try (Connection c = DriverManager.getConnection(cluster.sidecarJdbcUrl(null), p);
             ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
            assertTrue(rs.next());
            assertEquals(TestCluster.MD5_USER, rs.getString(1));
        }
        p.setProperty("password", "wrong");
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(cluster.sidecarJdbcUrl(null), p));
        assertEquals("28P01", e.getSQLState(), e.toString());
    }

    private static ExternalProcess.Result psql(int port, String user, Map<String, String> extraEnv, String... commands)
            throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("psql", "-X", "-w", "-At", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", user, "-d", "postgres"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("PGCONNECT_TIMEOUT", "10");
        env.putIfAbsent("PGPASSWORD", "");
        // with a ~/.postgresql/root.crt present, libpq would verify the self-signed certificate even for require
        env.put("PGSSLROOTCERT", "/nonexistent");
        return ExternalProcess.run(cmd, env, null, Duration.ofSeconds(60));
    }

    // ------------------------------------------------------------------ cancel keys

    @Test
    void cancelRequestWithWrongKeyDoesNothing() throws Exception {
        try (RawPgClient session = RawPgClient.connect(cluster.sidecarPort(), 10_000)) {
            List<BackendMessage> startup = session.startupAndWaitReady("postgres", "postgres");
            BackendMessage key = startup.stream().filter(m -> m.type() == 'K').findFirst().orElseThrow();
            int pid = key.intAt(0);
            byte[] secret = java.util.Arrays.copyOfRange(key.body(), 4, key.body().length);

            // the cancel key is the sidecar's, not PostgreSQL's
            session.send(query("SELECT pg_backend_pid()"));
            List<BackendMessage> pidReply = session.readUntil('Z');
            String backendPid = new String(pidReply.get(1).body(), 6, pidReply.get(1).body().length - 6, StandardCharsets.US_ASCII);
            assertNotEquals(Integer.toString(pid), backendPid, "BackendKeyData must carry the sidecar's own key");

            session.send(query("SELECT pg_sleep(1.5) AS slept"));
            Thread.sleep(200);
            byte[] wrongSecret = secret.clone();
            wrongSecret[0] ^= 0x5a;
            for (byte[] cancel : List.of(RawPgClient.cancelRequest(pid, wrongSecret),
                    RawPgClient.cancelRequest(pid + 1, secret),
                    RawPgClient.cancelRequest(Integer.parseInt(backendPid), secret))) {
                try (RawPgClient canceller = RawPgClient.connect(cluster.sidecarPort())) {
                    canceller.send(cancel);
                    assertArrayEquals(new byte[0], canceller.readAllBytes(), "a CancelRequest gets no answer, only a close");
                }
            }
            List<BackendMessage> reply = session.readUntil('Z');
            assertEquals("TDCZ", types(reply), "the statement must not have been cancelled: " + RawPgClient.render(reply));

            // control: the right key does cancel
            session.send(query("SELECT pg_sleep(30)"));
            Thread.sleep(300);
            long sent = System.nanoTime();
            try (RawPgClient canceller = RawPgClient.connect(cluster.sidecarPort())) {
                canceller.send(RawPgClient.cancelRequest(pid, secret));
                assertArrayEquals(new byte[0], canceller.readAllBytes());
            }
            List<BackendMessage> cancelled = session.readUntil('Z');
            BackendMessage error = cancelled.stream().filter(m -> m.type() == 'E').findFirst()
                    .orElseThrow(() -> new AssertionError("not cancelled: " + RawPgClient.render(cancelled)));
            assertEquals("57014", error.field('C'), RawPgClient.render(cancelled));
            assertTrue(System.nanoTime() - sent < 8_000_000_000L, "cancel took too long");
            assertSelectOne(session);
        }
    }

    // ------------------------------------------------------------------ timeouts, upstream down

    @Test
    void authenticationTimeoutClosesWithError() throws Exception {
        ProxyServer sidecar = TestCluster.startSidecar(cluster.postgresPort(),
                cfg -> cfg.withAuthenticationTimeout(Duration.ofSeconds(1)));
        try (RawPgClient c = RawPgClient.connect(sidecar.port(), 10_000)) {
            long start = System.nanoTime();
            c.startup(TestCluster.MD5_USER, "postgres");
            BackendMessage challenge = c.read();
            assertEquals('R', challenge.type(), String.valueOf(challenge));
            assertEquals(5, challenge.intAt(0), "md5user is asked for an MD5 password: " + challenge);
            // and now say nothing
            List<BackendMessage> rest = c.readToEof();
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(1, rest.size(), RawPgClient.render(rest));
            BackendMessage error = rest.get(0);
            assertEquals('E', error.type(), RawPgClient.render(rest));
            assertEquals("FATAL", error.field('S'));
            assertEquals("08P01", error.field('C'));
            assertTrue(error.field('M').contains("authentication"), error.field('M'));
            assertTrue(seconds >= 0.9 && seconds < 5, "closed after " + seconds + " s");
            assertEquals(0, waitForNoSessions(sidecar), "session left after the timeout");
        } finally {
            sidecar.close();
        }
    }

    @Test
    void authenticatedIdleSessionOutlivesTheAuthenticationTimeout() throws Exception {
        ProxyServer sidecar = TestCluster.startSidecar(cluster.postgresPort(),
                cfg -> cfg.withAuthenticationTimeout(Duration.ofSeconds(1)));
        try (RawPgClient c = RawPgClient.connect(sidecar.port(), 10_000)) {
            c.startupAndWaitReady("postgres", "postgres");
            Thread.sleep(1800);
            assertSelectOne(c);
        } finally {
            sidecar.close();
        }
    }

    @Test
    void upstreamDownGives08006() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ProxyServer sidecar = TestCluster.startSidecar(closedPort, null);
        try {
            try (RawPgClient c = RawPgClient.connect(sidecar.port(), 15_000)) {
                c.startup("postgres", "postgres");
                List<BackendMessage> reply = c.readToEof();
                assertEquals(1, reply.size(), RawPgClient.render(reply));
                BackendMessage error = reply.get(0);
                assertEquals('E', error.type());
                assertEquals("FATAL", error.field('S'));
                assertEquals("08006", error.field('C'));
                assertTrue(error.field('M').contains("could not connect to the upstream PostgreSQL at 127.0.0.1:" + closedPort),
                        error.field('M'));
            }
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", ""));
            assertEquals("08006", e.getSQLState(), e.toString());
            assertTrue(e.getMessage().contains("could not connect to the upstream PostgreSQL"), e.getMessage());
            assertEquals(0, waitForNoSessions(sidecar));
        } finally {
            sidecar.close();
        }
    }

    private static int waitForNoSessions(ProxyServer sidecar) throws InterruptedException {
        long until = System.nanoTime() + 5_000_000_000L;
        while (sidecar.sessions().size() > 0 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        return sidecar.sessions().size();
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

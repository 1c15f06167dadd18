package io.pgmlsidecar.it.support;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.functions.RuntimeEmbeddingModels;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * One real PostgreSQL (zonky embedded binaries) and one sidecar in front of it, shared by every
 * test in the JVM. pg_hba.conf is rewritten so that {@code md5user} must use md5,
 * {@code scramuser} SCRAM-SHA-256, and everyone else is trusted.
 */
public final class TestCluster {

    public static final String MD5_USER = "md5user";
    public static final String SCRAM_USER = "scramuser";
    public static final String PASSWORD = "s3cret-pw";

    private static TestCluster instance;
    /** The operator's --remote-allow of the test sidecars: the endpoint stand-ins listen on loopback. */
    private static final io.pgmlsidecar.ml.remote.EndpointAddressPolicy LOOPBACK_ENDPOINTS =
            io.pgmlsidecar.ml.remote.EndpointAddressPolicy.allowing("127.0.0.1");
    /** The models directory of the test sidecars; tests write their tiny task models here. */
    private static final Path MODELS_DIR = createModelsDir();
    private static final io.pgmlsidecar.planner.hostfiles.ServerFiles SERVER_FILES =
            io.pgmlsidecar.planner.hostfiles.ServerFiles.under(createTempDir("pgml-sidecar-it-files-"));
    private static final MlConfig ML_CONFIG = MlConfig.builder().modelsDir(MODELS_DIR).hubDownload(false).build();
    private static final EmbeddingService EMBEDDINGS = new EmbeddingService(ML_CONFIG);
    private static final TransformService TRANSFORMS = new TransformService(ML_CONFIG);
    private static final io.pgmlsidecar.planner.tune.RuntimeClassifierTuning TUNING =
            new io.pgmlsidecar.planner.tune.RuntimeClassifierTuning(ML_CONFIG);
    /** One secrets key for every sidecar of the test run, as replicas share theirs. */
    private static final io.pgmlsidecar.planner.remote.SettingsCipher SETTINGS_CIPHER =
            io.pgmlsidecar.planner.remote.SettingsCipher.fromBase64(io.pgmlsidecar.planner.remote.SettingsCipher.newKeyBase64());
    /** One listener per upstream, shared by the sidecars the tests start in front of it. */
    private static final java.util.Map<Integer, io.pgmlsidecar.catalog.DeploymentNotifications> NOTIFICATIONS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final EmbeddedPostgresServer postgres;
    private final ProxyServer sidecar;

    private TestCluster(EmbeddedPostgresServer postgres, ProxyServer sidecar) {
        this.postgres = postgres;
        this.sidecar = sidecar;
    }

    public static synchronized TestCluster get() {
        if (instance == null) {
            try {
                Path data = Files.createTempDirectory("pgml-sidecar-it-");
                EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data.resolve("pg"), 0);
                configureAuthentication(pg, data.resolve("pg"));
                io.pgmlsidecar.catalog.CatalogMigrator.migrate(
                        "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
                ProxyServer proxy = startSidecar(pg.port(), null);
                instance = new TestCluster(pg, proxy);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    proxy.close();
                    try {
                        pg.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the test PostgreSQL and sidecar", e);
            }
        }
        return instance;
    }

    /** Starts another sidecar in front of the shared PostgreSQL (e.g. with TLS or short timeouts). */
    public static ProxyServer startSidecar(int upstreamPort, java.util.function.UnaryOperator<ProxyConfig> customize)
            throws InterruptedException {
        return startSidecar(upstreamPort, customize, TRANSFORMS);
    }

    /**
     * As {@link #startSidecar(int, java.util.function.UnaryOperator)}, with transformer pipelines of its
     * own (a replica with its own models directory and work directory).
     */
    public static ProxyServer startSidecar(int upstreamPort, java.util.function.UnaryOperator<ProxyConfig> customize,
                                           TransformService transforms) throws InterruptedException {
        return startSidecar(upstreamPort, customize, transforms, LOOPBACK_ENDPOINTS);
    }

    /**
     * As {@link #startSidecar(int, java.util.function.UnaryOperator, TransformService)}, calling remote endpoints only
     * where {@code endpointAddresses} allows (the test sidecars allow loopback, where the endpoint stand-ins listen).
     */
    public static ProxyServer startSidecar(int upstreamPort, java.util.function.UnaryOperator<ProxyConfig> customize,
                                           TransformService transforms,
                                           io.pgmlsidecar.ml.remote.EndpointAddressPolicy endpointAddresses) throws InterruptedException {
        ProxyConfig config = ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", upstreamPort).withEventLoopThreads(2);
        if (customize != null) {
            config = customize.apply(config);
        }
        io.pgmlsidecar.catalog.DeploymentNotifications deployments = NOTIFICATIONS.computeIfAbsent(upstreamPort,
                port -> new io.pgmlsidecar.catalog.DeploymentNotifications("127.0.0.1", port, "postgres", null));
        return new ProxyServer(config, new PgmlInterceptor(io.pgmlsidecar.planner.SidecarServices.builder()
                .embeddings(new RuntimeEmbeddingModels(EMBEDDINGS)).transforms(transforms).tuning(TUNING).deployments(deployments::watching)
                .remote(new io.pgmlsidecar.ml.remote.RemoteModels(endpointAddresses))
                .settingsCipher(SETTINGS_CIPHER).serverFiles(SERVER_FILES).build())).start();
    }

    /**
     * A sidecar whose sessions reach PostgreSQL through a pooler at {@code poolPort} (PgBouncer in
     * transaction mode, say), while its deployment listener connects to PostgreSQL itself, as LISTEN
     * needs a session of its own that a transaction pool does not keep.
     */
    public static ProxyServer startSidecarBehindPool(int poolPort, int postgresPort) throws InterruptedException {
        ProxyConfig config = ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", poolPort).withEventLoopThreads(2);
        io.pgmlsidecar.catalog.DeploymentNotifications deployments = NOTIFICATIONS.computeIfAbsent(postgresPort,
                port -> new io.pgmlsidecar.catalog.DeploymentNotifications("127.0.0.1", port, "postgres", null));
        return new ProxyServer(config, new PgmlInterceptor(io.pgmlsidecar.planner.SidecarServices.builder()
                .embeddings(new RuntimeEmbeddingModels(EMBEDDINGS)).transforms(TRANSFORMS).tuning(TUNING).deployments(deployments::watching)
                .remote(new io.pgmlsidecar.ml.remote.RemoteModels(LOOPBACK_ENDPOINTS))
                .settingsCipher(SETTINGS_CIPHER).serverFiles(SERVER_FILES).build())).start();
    }

    private static void configureAuthentication(EmbeddedPostgresServer pg, Path dataDir) throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'md5'");
            s.execute("CREATE ROLE " + MD5_USER + " LOGIN PASSWORD '" + PASSWORD + "'");
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("CREATE ROLE " + SCRAM_USER + " LOGIN PASSWORD '" + PASSWORD + "'");
            s.execute("GRANT ALL ON SCHEMA public TO " + MD5_USER + ", " + SCRAM_USER);
            String hba = """
                    local all all trust
                    host all %s 127.0.0.1/32 md5
                    host all %s 127.0.0.1/32 scram-sha-256
                    host all all 127.0.0.1/32 trust
                    host all all ::1/128 trust
                    """.formatted(MD5_USER, SCRAM_USER);
            Files.writeString(dataDir.resolve("pg_hba.conf"), hba);
            s.execute("SELECT pg_reload_conf()");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createModelsDir() {
        return createTempDir("pgml-sidecar-it-models-");
    }

    private static Path createTempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory the test sidecars let privileged roles read and write on their host (--server-files-dir). */
    public static Path serverFilesDir() {
        return SERVER_FILES.root();
    }

    /** The sidecars' models directory ({@code <dir>/<org>/<name>/} in Hugging Face layout). */
    public static Path modelsDir() {
        return MODELS_DIR;
    }

    /** The transformer pipelines the test sidecars share. */
    public static TransformService transforms() {
        return TRANSFORMS;
    }

    /** The model runtime the sidecars of the tests use (the same instance, in process). */
    public EmbeddingService embeddings() {
        return EMBEDDINGS;
    }

    public int postgresPort() {
        return postgres.port();
    }

    public int sidecarPort() {
        return sidecar.port();
    }

    public String sidecarJdbcUrl(String extraParams) {
        return "jdbc:postgresql://127.0.0.1:" + sidecarPort() + "/postgres" + (extraParams == null ? "" : "?" + extraParams);
    }

    public String directJdbcUrl(String extraParams) {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort() + "/postgres" + (extraParams == null ? "" : "?" + extraParams);
    }

    /** A pgjdbc connection through the sidecar as postgres. */
    public Connection connect(String extraParams) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return DriverManager.getConnection(sidecarJdbcUrl(extraParams), p);
    }

    /** A pgjdbc connection straight to PostgreSQL as postgres. */
    public Connection connectDirect(String extraParams) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return DriverManager.getConnection(directJdbcUrl(extraParams), p);
    }
}

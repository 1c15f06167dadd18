package io.pgmlsidecar.deploy;

import io.netty.handler.ssl.SslContext;
import io.pgmlsidecar.proxy.tls.ServerTls;
import io.pgmlsidecar.catalog.CatalogMigrator;
import io.pgmlsidecar.catalog.DeploymentNotifications;
import io.pgmlsidecar.dashboard.DashboardServer;
import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.tabular.TabularWarmUp;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.metrics.MeteredInterceptor;
import io.pgmlsidecar.planner.functions.RuntimeEmbeddingModels;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.hostfiles.ServerFiles;
import io.pgmlsidecar.planner.tune.RuntimeClassifierTuning;
import io.pgmlsidecar.planner.SidecarVersion;
import io.pgmlsidecar.planner.remote.SettingsCipher;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The sidecar's command line. */
@Command(name = "pgml-sidecar", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Speaks the PostgreSQL protocol in front of any PostgreSQL and serves the pgml.* SQL API.",
        subcommands = {DownloadCommand.class, MigrateCommand.class})
public final class Main implements Callable<Integer> {

    @Option(names = "--listen", defaultValue = "${env:PGML_SIDECAR_LISTEN:-127.0.0.1:6432}",
            description = "HOST:PORT to accept clients on (env PGML_SIDECAR_LISTEN; default ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--upstream", defaultValue = "${env:PGML_SIDECAR_UPSTREAM}",
            description = "postgresql://USER[:PASS]@HOST:PORT/DB of the real PostgreSQL (env PGML_SIDECAR_UPSTREAM). "
                    + "Absent: an embedded PostgreSQL is started.")
    String upstream;

    @Option(names = "--data-dir", defaultValue = "${env:PGML_SIDECAR_DATA_DIR:-pgml-sidecar-data}",
            description = "Data directory of the embedded PostgreSQL (env PGML_SIDECAR_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--embedded-port", defaultValue = "${env:PGML_SIDECAR_EMBEDDED_PORT:-0}",
            description = "Port of the embedded PostgreSQL (env PGML_SIDECAR_EMBEDDED_PORT; 0 = any free port).")
    int embeddedPort;

    @Option(names = "--tls-cert", defaultValue = "${env:PGML_SIDECAR_TLS_CERT}",
            description = "PEM certificate chain for TLS with clients (env PGML_SIDECAR_TLS_CERT).")
    File tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:PGML_SIDECAR_TLS_KEY}",
            description = "PEM PKCS#8 private key for --tls-cert (env PGML_SIDECAR_TLS_KEY).")
    File tlsKey;

    @Option(names = "--shutdown-grace", defaultValue = "${env:PGML_SIDECAR_SHUTDOWN_GRACE:-30s}",
            description = "How long SIGTERM lets running statements finish, e.g. 30s (env PGML_SIDECAR_SHUTDOWN_GRACE).")
    String shutdownGrace;

    @Option(names = "--models-dir", defaultValue = "${env:PGML_SIDECAR_MODELS_DIR}",
            description = "Directory of models in Hugging Face layout, <dir>/<org>/<name>/ (env PGML_SIDECAR_MODELS_DIR). "
                    + "Also searched: the Hugging Face cache ($HF_HOME/hub) and the models bundled in the jar.")
    Path modelsDir;

    @Option(names = "--server-files-dir", defaultValue = "${env:PGML_SIDECAR_SERVER_FILES_DIR}",
            description = "The one directory where roles with pg_read_server_files / pg_write_server_files (or superusers) may "
                    + "read and write files on the sidecar's host: pgml.load_dataset's path, pgml.dump_all, pgml.load_all. Paths "
                    + "are relative to it; '..' and symbolic links out of it are refused. Default: off (env PGML_SIDECAR_SERVER_FILES_DIR).")
    Path serverFilesDir;

    @Option(names = "--remote-allow", defaultValue = "${env:PGML_SIDECAR_REMOTE_ALLOW}",
            description = "Non-public addresses that remote model endpoints may be at, comma-separated: CIDR blocks (10.0.0.0/8), "
                    + "addresses (127.0.0.1) and host names (models.internal). Default: public addresses only; loopback, private, "
                    + "link-local and cloud metadata addresses are refused (env PGML_SIDECAR_REMOTE_ALLOW).")
    String remoteAllow;

    @Option(names = "--migrate-databases", defaultValue = "${env:PGML_SIDECAR_MIGRATE_DATABASES}", paramLabel = "DB,...",
            description = "Other databases of the upstream server to install or upgrade the pgml schema in at start, with the "
                    + "--upstream user, comma-separated (the database of --upstream always is). Clients of a database without "
                    + "it get SQLSTATE 3F000 from pgml.train, pgml.predict, pgml.load_dataset… (env PGML_SIDECAR_MIGRATE_DATABASES; "
                    + "or run: pgml-sidecar migrate --database DB).")
    String migrateDatabases;

    @Option(names = "--call-memory-budget", defaultValue = "${env:PGML_SIDECAR_CALL_MEMORY_BUDGET:-0}", paramLabel = "BYTES",
            description = "Most heap one model call may be predicted to need (an embedding batch's token vectors, a training "
                    + "matrix); a larger call is refused with SQLSTATE 54000 before it allocates. 0 (default): a quarter of the "
                    + "maximum heap (env PGML_SIDECAR_CALL_MEMORY_BUDGET).")
    long callMemoryBudget;

    @Option(names = "--secrets-key", defaultValue = "${env:PGML_SIDECAR_SECRETS_KEY}",
            description = "Base64 of 32 random bytes that encrypts azure_ai settings (endpoint keys) in the database; the same on "
                    + "every replica (env PGML_SIDECAR_SECRETS_KEY). With the embedded PostgreSQL and no key, one is kept in the data directory.")
    String secretsKey;

    @Option(names = "--metrics-listen", defaultValue = "${env:PGML_SIDECAR_METRICS_LISTEN}",
            description = "HOST:PORT serving GET /metrics in Prometheus format (remote endpoint requests, errors, retries, "
                    + "latency; JVM); off when not set (env PGML_SIDECAR_METRICS_LISTEN).")
    String metricsListen;

    @Option(names = "--dashboard-listen", defaultValue = "${env:PGML_SIDECAR_DASHBOARD_LISTEN}",
            description = "HOST:PORT serving the dashboard (projects, models, deployments, snapshots, serving meters, tuning runs, "
                    + "a SQL console), logged in with a database role; HTTPS with --tls-cert/--tls-key; off when not set "
                    + "(env PGML_SIDECAR_DASHBOARD_LISTEN).")
    String dashboardListen;

    @Option(names = "--event-loop-threads", defaultValue = "${env:PGML_SIDECAR_EVENT_LOOP_THREADS:-0}",
            description = "Network threads (0 = one per core; env PGML_SIDECAR_EVENT_LOOP_THREADS).")
    int eventLoopThreads;

    @Option(names = "--busy-poll", defaultValue = "${env:PGML_SIDECAR_BUSY_POLL:-200us}",
            description = "How long a network thread polls its sockets before sleeping, e.g. 200us, while it serves few sessions; saves the wake-up of "
                    + "the next message of a busy session; 0 = sleep at once (env PGML_SIDECAR_BUSY_POLL; default ${DEFAULT-VALUE}).")
    String busyPoll;

    @Option(names = "--warm-up", negatable = true, defaultValue = "${env:PGML_SIDECAR_WARM_UP:-true}", fallbackValue = "true",
            description = "After start, train and load a tiny XGBoost model once in the background, so the first pgml.train does not "
                    + "pay for loading XGBoost and compiling the training path (env PGML_SIDECAR_WARM_UP; default ${DEFAULT-VALUE}).")
    boolean warmUp;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:PGML_SIDECAR_CONFIG}",
            description = "YAML file of settings, keys named as these options without the dashes (busy-poll: 200us). "
                    + "Precedence: flag > environment > file > default. SIGHUP reads it again (env PGML_SIDECAR_CONFIG).")
    Path config;

    @Option(names = "--print-config", description = "Print the settings in effect, where each comes from, secrets masked; then exit.")
    boolean printConfig;

    @Option(names = "--select-batch-rows", defaultValue = "${env:PGML_SIDECAR_SELECT_BATCH_ROWS:-256}",
            description = "Rows per model call for row-dependent calls in a SELECT list (S2); live on SIGHUP "
                    + "(env PGML_SIDECAR_SELECT_BATCH_ROWS; default ${DEFAULT-VALUE}).")
    int selectBatchRows;

    @Option(names = "--staged-batch-rows", defaultValue = "${env:PGML_SIDECAR_STAGED_BATCH_ROWS:-1024}",
            description = "Argument rows per pass for calls elsewhere in a statement (S4); live on SIGHUP "
                    + "(env PGML_SIDECAR_STAGED_BATCH_ROWS; default ${DEFAULT-VALUE}).")
    int stagedBatchRows;

    @Option(names = "--secrets-key-file", paramLabel = "FILE", defaultValue = "${env:PGML_SIDECAR_SECRETS_KEY_FILE}",
            description = "File holding --secrets-key (a mounted Kubernetes Secret, say); used when --secrets-key is not set "
                    + "(env PGML_SIDECAR_SECRETS_KEY_FILE).")
    Path secretsKeyFile;

    @Option(names = "--slow-statement", defaultValue = "${env:PGML_SIDECAR_SLOW_STATEMENT:-1s}",
            description = "Log each served statement that takes at least this long (session, user, database, strategy, duration; never "
                    + "its text or parameters), e.g. 500ms; 0 logs every one, -1 none; live on SIGHUP (env PGML_SIDECAR_SLOW_STATEMENT; "
                    + "default ${DEFAULT-VALUE}).")
    String slowStatement;

    @Option(names = "--log-format", defaultValue = "${env:PGML_SIDECAR_LOG_FORMAT:-text}",
            description = "text (key=value) or json (one object per line) for the statement log (env PGML_SIDECAR_LOG_FORMAT; "
                    + "default ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--notify-upstream", defaultValue = "${env:PGML_SIDECAR_NOTIFY_UPSTREAM}",
            description = "postgresql://… where the deployment listener (LISTEN) connects; set it to PostgreSQL itself when --upstream "
                    + "is a transaction-mode pooler, which does not keep a LISTEN session (env PGML_SIDECAR_NOTIFY_UPSTREAM; "
                    + "default: --upstream).")
    String notifyUpstream;

    @Option(names = "--log-level", defaultValue = "${env:PGML_SIDECAR_LOG_LEVEL:-info}",
            description = "error, warn, info, debug or trace for the sidecar's log (standard error); live on SIGHUP "
                    + "(env PGML_SIDECAR_LOG_LEVEL; default ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(names = "--admin-role", defaultValue = "${env:PGML_SIDECAR_ADMIN_ROLE}",
            description = "Upstream role whose members (and superusers) may use the admin console: connect to database "
                    + "pgml_sidecar (SHOW CLIENTS, SHOW STATS, RELOAD, …); off when not set (env PGML_SIDECAR_ADMIN_ROLE).")
    String adminRole;

    @Option(names = "--admin-database", defaultValue = "${env:PGML_SIDECAR_ADMIN_DATABASE}",
            description = "Real upstream database a console login is authenticated against (env PGML_SIDECAR_ADMIN_DATABASE; "
                    + "default: the --upstream database).")
    String adminDatabase;

    @CommandLine.Mixin
    SparkOptions spark = new SparkOptions();

    @Spec
    CommandSpec spec;

    /** The command line as given, read again on SIGHUP. */
    private static String[] commandLine = new String[0];
    private static ConfigSources sources;

    public static void main(String[] args) {
        // Netty samples buffers for leak reports by default, recording a stack trace per sample: ~3 %
        // of a network thread's CPU when relaying. The test suite keeps it on; -D... turns it back on here.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        commandLine = args.clone();
        CommandLine command = new CommandLine(new Main());
        try {
            sources = ConfigSources.load(ConfigSources.configPath(args, System::getenv), command.getCommandSpec(), System::getenv);
        } catch (java.io.IOException e) {
            System.err.println("pgml-sidecar: cannot read the configuration: " + e.getMessage());
            System.exit(2);
        }
        command.setDefaultValueProvider(sources);
        System.exit(command.execute(args));
    }

    private io.pgmlsidecar.ml.remote.EndpointAddressPolicy remoteAddresses() {
        try {
            return io.pgmlsidecar.ml.remote.EndpointAddressPolicy.allowing(remoteAllow);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--remote-allow: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (printConfig) {
            System.out.print(EffectiveConfig.render(spec, sources, spec.commandLine().getParseResult()));
            return 0;
        }
        LogLevels.configure(logLevel);
        io.pgmlsidecar.planner.BatchSizes.setSelectRows(selectBatchRows);
        io.pgmlsidecar.planner.BatchSizes.setStagedRows(stagedBatchRows);
        HostPort listenAt = HostPort.parse(listen, 6432);
        EmbeddedPostgresServer embedded = null;
        UpstreamUrl target;
        if (upstream == null || upstream.isBlank()) {
            System.out.println("starting embedded PostgreSQL in " + dataDir.toAbsolutePath());
            embedded = EmbeddedPostgresServer.start(dataDir, embeddedPort);
            target = embedded.url();
        } else {
            target = UpstreamUrl.parse(upstream);
        }
        boolean migrated = migrateCatalog(target);
        List<UpstreamUrl> otherDatabases = otherDatabases(target);
        for (UpstreamUrl other : otherDatabases) {
            migrateCatalog(other);
        }
        ProxyConfig config = ProxyConfig.of(listenAt.host(), listenAt.port(), target.host(), target.port())
                .withShutdownGrace(parseDuration(shutdownGrace)).withBusyPoll(parseDuration(busyPoll));
        boolean metricsOn = metricsListen != null && !metricsListen.isBlank();
        ProxyMetrics proxyMetrics = new ProxyMetrics(io.micrometer.core.instrument.Metrics.globalRegistry);
        if (metricsOn) {
            // without a scrape endpoint nobody reads them: the relay path stays without the byte counter
            config = config.withObserver(proxyMetrics);
        }
        if (eventLoopThreads > 0) {
            config = config.withEventLoopThreads(eventLoopThreads);
        }
        SslContext ssl = null;
        if (tlsCert != null || tlsKey != null) {
            if (tlsCert == null || tlsKey == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--tls-cert and --tls-key go together");
            }
            ssl = ServerTls.forServer(tlsCert, tlsKey);
            config = config.withSsl(ssl);
        }
        MlConfig ml = MlConfig.builder().modelsDir(modelsDir).hubRedirects(remoteAddresses())
                .callMemoryBudget(callMemoryBudget).build();
        io.pgmlsidecar.ml.CallMemoryBudget.set(ml.callMemoryBudget());
        EmbeddingService embeddings = new EmbeddingService(ml);
        TransformService transforms = new TransformService(ml);
        // LISTEN needs a session of its own: behind a transaction-mode pooler it must reach PostgreSQL directly
        UpstreamUrl notify = notifyUpstream == null || notifyUpstream.isBlank() ? target : UpstreamUrl.parse(notifyUpstream);
        DeploymentNotifications deployments = new DeploymentNotifications(notify.host(), notify.port(), notify.user(), notify.password());
        SidecarServices services = SidecarServices.builder().embeddings(new RuntimeEmbeddingModels(embeddings))
                .transforms(transforms).tuning(new RuntimeClassifierTuning(ml))
                .deployments(deployments::watching)
                .remote(new io.pgmlsidecar.ml.remote.RemoteModels(remoteAddresses()))
                .settingsCipher(SettingsCipher.fromBase64(secretsKey(embedded != null)))
                .serverFiles(ServerFiles.under(serverFilesDir))
                .trainingEngines(io.pgmlsidecar.planner.tabular.engine.TrainingEngines.discover(spark.settings()))
                .bulkEngines(io.pgmlsidecar.planner.bulk.BulkEngines.discover(spark.settings())).build();
        for (String ignored : SparkOptions.ignoredSystemProperties()) {
            System.err.println("WARNING: system property " + ignored + " is ignored: Spark settings are options now, --"
                    + ignored.substring("pgml.".length()).replace('.', '-') + " (see --help)");
        }
        if (migrated && services.settingsCipher() != null) {
            rewrapSettings(target, services.settingsCipher());
        }
        if (services.settingsCipher() != null) {
            for (UpstreamUrl other : otherDatabases) {
                rewrapSettings(other, services.settingsCipher());
            }
        }
        if (serverFilesDir != null) {
            System.out.println("host files for privileged roles (pgml.load_dataset path, dump_all, load_all) under "
                    + services.serverFiles().root());
        }
        Readiness readiness = new Readiness(target, migrated);
        MetricsEndpoint metrics = null;
        if (metricsOn) {
            HostPort at = HostPort.parse(metricsListen, 9187);
            metrics = MetricsEndpoint.start(at.host(), at.port(), readiness);
            System.out.println("metrics on http://" + at.host() + ":" + metrics.port() + "/metrics, health on /health/live and /health/ready");
        }
        StatementLog statementLog = new StatementLog(System.out, logFormat, parseSignedDuration(slowStatement));
        ProxyServer server = new ProxyServer(config, new MeteredInterceptor(new PgmlInterceptor(services), statementLog));
        java.util.concurrent.atomic.AtomicReference<Runnable> stopping = new java.util.concurrent.atomic.AtomicReference<>(() -> { });
        LiveReload reload = new LiveReload(commandLine, () -> new CommandLine(new Main()), EffectiveConfig.of(spec), Map.of(
                "select-batch-rows", v -> io.pgmlsidecar.planner.BatchSizes.setSelectRows(Integer.parseInt(v)),
                "staged-batch-rows", v -> io.pgmlsidecar.planner.BatchSizes.setStagedRows(Integer.parseInt(v)),
                "slow-statement", v -> statementLog.setThreshold(parseSignedDuration(v)),
                "log-level", LogLevels::set,
                "busy-poll", v -> {
                    if (!server.setBusyPoll(parseDuration(v))) {
                        throw new IllegalArgumentException("the network threads were started without polling; restart to turn it on");
                    }
                }));
        if (adminRole != null && !adminRole.isBlank()) {
            String authDatabase = adminDatabase == null || adminDatabase.isBlank() ? target.database() : adminDatabase;
            server.withAdminConsole(new io.pgmlsidecar.proxy.admin.AdminConsoleSettings(
                            io.pgmlsidecar.proxy.admin.AdminConsoleSettings.DEFAULT_DATABASE, authDatabase, adminRole),
                    new ConsoleFactsFromMeters(io.micrometer.core.instrument.Metrics.globalRegistry, reload,
                            ConsoleFactsFromMeters.defaultsOf(spec), () -> stopping.get().run()));
            System.out.println("admin console: database " + io.pgmlsidecar.proxy.admin.AdminConsoleSettings.DEFAULT_DATABASE
                    + " for members of role " + adminRole + " (authenticated by the upstream in database " + authDatabase + ")");
        }
        server.start();
        proxyMetrics.bind(server);
        DashboardServer dashboard = null;
        if (dashboardListen != null && !dashboardListen.isBlank()) {
            dashboard = Dashboards.start(HostPort.parse(dashboardListen, 8433), listenAt.host(), server.port(), target.database(), ssl);
        }
        DashboardServer dashboardServer = dashboard;
        CountDownLatch stopped = new CountDownLatch(1);
        MetricsEndpoint metricsEndpoint = metrics;
        EmbeddedPostgresServer embeddedServer = embedded;
        Runnable stop = () -> {
            try {
                readiness.startDraining();
                if (dashboardServer != null) {
                    dashboardServer.close();
                }
                server.shutdownGracefully();
                deployments.close();
                if (metricsEndpoint != null) {
                    metricsEndpoint.close();
                }
                if (embeddedServer != null) {
                    embeddedServer.close();
                }
            } catch (Exception e) {
                System.err.println("error during shutdown: " + e);
            } finally {
                stopped.countDown();
            }
        };
        java.util.concurrent.atomic.AtomicBoolean stopOnce = new java.util.concurrent.atomic.AtomicBoolean();
        // SIGTERM and the console's SHUTDOWN share one stop
        stopping.set(() -> {
            if (stopOnce.compareAndSet(false, true)) {
                stop.run();
            }
        });
        TerminationSignals.onTerminate(stopping.get());
        if (!TerminationSignals.onReload(() -> reload.reload())) {
            System.err.println("WARNING: SIGHUP is ignored by the process that started the sidecar (e.g. nohup), and the JVM"
                    + " cannot take it back: kill -HUP will not reload the settings; use the admin console's RELOAD"
                    + " (with --admin-role), or start the sidecar without nohup");
        }
        System.out.println("pgml-sidecar " + SidecarVersion.get() + " ready on " + listenAt.host() + ":" + server.port()
                + ", relaying to " + target.redacted());
        System.out.println("connect with: psql -h " + listenAt.host() + " -p " + server.port() + " -U " + target.user()
                + " " + target.database());
        if (warmUp) {
            startWarmUp();
        }
        stopped.await();
        System.out.println("pgml-sidecar stopped");
        return 0;
    }

    /** The tabular warm-up on a low-priority daemon thread; clients are served meanwhile. */
    private static void startWarmUp() {
        Thread.ofPlatform().daemon().name("pgml-warm-up").priority(Thread.MIN_PRIORITY).start(() -> {
            try {
                System.out.println("tabular path warmed up in " + TabularWarmUp.run().toMillis() + " ms");
            } catch (RuntimeException | LinkageError e) {
                System.err.println("WARNING: warm-up of the tabular path failed (the first pgml.train will be slower): " + e);
            }
        });
    }

    /** The configured key; for the embedded PostgreSQL without one, a key kept next to its data (created once). */
    private String secretsKey(boolean embeddedServer) throws java.io.IOException {
        if (secretsKey != null && !secretsKey.isBlank()) {
            return secretsKey;
        }
        if (secretsKeyFile != null) {
            return java.nio.file.Files.readString(secretsKeyFile).trim();
        }
        if (!embeddedServer) {
            System.err.println("WARNING: no --secrets-key: azure_ai settings (azure_ml.invoke's endpoint and key) are unavailable");
            return null;
        }
        Path file = dataDir.resolve("secrets.key");
        if (!java.nio.file.Files.exists(file)) {
            java.nio.file.Files.writeString(file, SettingsCipher.newKeyBase64());
            try {
                java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
        return java.nio.file.Files.readString(file).trim();
    }

    /** Settings stored by an older build, bound to their database now; a failure is reported, not fatal. */
    private static void rewrapSettings(UpstreamUrl target, SettingsCipher cipher) {
        try {
            int n = SettingsUpgrade.run(target, cipher);
            if (n > 0) {
                System.out.println("settings: " + n + " value(s) stored by an older sidecar are now bound to their database");
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            System.err.println("WARNING: could not upgrade the stored settings in " + target.redacted() + ": " + e.getMessage()
                    + " — values stored by an older sidecar answer 39000 until a settings manager sets them again");
        }
    }

    /** The databases of {@code --migrate-databases} other than the one of {@code --upstream}. */
    private List<UpstreamUrl> otherDatabases(UpstreamUrl target) {
        List<UpstreamUrl> out = new java.util.ArrayList<>();
        if (migrateDatabases == null || migrateDatabases.isBlank()) return out;
        for (String db : migrateDatabases.split(",")) {
            String name = db.strip();
            if (!name.isEmpty() && !name.equals(target.database())) out.add(target.inDatabase(name));
        }
        return out;
    }

    /** Installs or upgrades the pgml schema upstream; a failure (no rights, say) is reported, not fatal. */
    private static boolean migrateCatalog(UpstreamUrl target) {
        try {
            int applied = CatalogMigrator.migrate(target.jdbcUrl(), target.user(), target.password());
            System.out.println("pgml schema in " + target.redacted() + " is up to date (" + applied + " migrations applied)");
            return true;
        } catch (RuntimeException e) {
            System.err.println("WARNING: could not create or upgrade the pgml schema in " + target.redacted() + ": "
                    + e.getMessage() + " — the vector helpers (pgml.cosine_similarity, …) will be missing there; "
                    + "run the sidecar once with an --upstream user that may create schema pgml.");
            return false;
        }
    }

    /** As {@link #parseDuration}, where a negative value (-1) means off. */
    static Duration parseSignedDuration(String s) {
        String v = s.trim();
        return v.startsWith("-") ? Duration.ofNanos(-1) : parseDuration(v);
    }

    static Duration parseDuration(String s) {
        String v = s.trim().toLowerCase();
        if (v.endsWith("us")) {
            return Duration.ofNanos(1000 * Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(v));
    }

    record HostPort(String host, int port) {
        static HostPort parse(String s, int defaultPort) {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                return new HostPort(s, defaultPort);
            }
            return new HostPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pgml-sidecar " + SidecarVersion.get()};
        }
    }
}

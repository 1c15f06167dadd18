package io.pgmlsidecar.deploy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL started from the binaries in a Maven artifact (zonky), for running the
 * sidecar with no database of one's own. Works as root (zonky wraps initdb in a user namespace).
 * The data directory is kept between runs.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** @param port 0 picks a free port */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port) throws IOException {
        return start(dataDirectory, port, java.util.Map.of());
    }

    /** As {@link #start(Path, int)}, with more server settings (e.g. logging for tests). */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port, java.util.Map<String, String> settings) throws IOException {
        Files.createDirectories(dataDirectory);
        boolean fresh = !Files.exists(dataDirectory.resolve("PG_VERSION"));
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "300")
                .setServerConfig("listen_addresses", "127.0.0.1");
        settings.forEach(builder::setServerConfig);
        if (port > 0) {
            builder.setPort(port);
        }
        if (!fresh) {
            builder.setDataDirectoryCustomizer(d -> { });
        }
        return new EmbeddedPostgresServer(builder.start());
    }

    public int port() {
        return postgres.getPort();
    }

    public UpstreamUrl url() {
        return new UpstreamUrl("postgres", null, "127.0.0.1", port(), "postgres");
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}

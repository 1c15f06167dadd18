package io.pgmlsidecar.dashboard;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Where the dashboard listens, how logged-in roles reach the database (through the sidecar's own
 * port, so {@code pgml.*} calls are served and PostgreSQL checks the password), and the meters it shows.
 *
 * @param tls null for plain HTTP
 * @param database the database a login opens when the form names none
 * @param sessionIdle how long an unused login lasts before its connection is closed
 */
public record DashboardConfig(String host, int port, Tls tls, String sidecarHost, int sidecarPort, String database,
                              Duration sessionIdle, MeterRegistry meters) {

    /** The sidecar's TLS for the dashboard too: its context and the protocols and cipher suites it allows. */
    public record Tls(SSLContext context, List<String> protocols, List<String> ciphers) {
        public Tls {
            Objects.requireNonNull(context, "context");
            protocols = List.copyOf(protocols);
            ciphers = List.copyOf(ciphers);
        }
    }

    public DashboardConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(sidecarHost, "sidecarHost");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(sessionIdle, "sessionIdle");
        Objects.requireNonNull(meters, "meters");
    }

    public static DashboardConfig of(String host, int port, String sidecarHost, int sidecarPort, String database,
                                     MeterRegistry meters) {
        return new DashboardConfig(host, port, null, sidecarHost, sidecarPort, database, Duration.ofMinutes(30), meters);
    }

    public DashboardConfig withTls(Tls tls) {
        return new DashboardConfig(host, port, tls, sidecarHost, sidecarPort, database, sessionIdle, meters);
    }

    public DashboardConfig withSessionIdle(Duration idle) {
        return new DashboardConfig(host, port, tls, sidecarHost, sidecarPort, database, idle, meters);
    }
}

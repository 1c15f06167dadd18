package io.pgmlsidecar.dashboard;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLParameters;

/**
 * The dashboard's HTTP(S) server: the bundled front end at {@code /} and its JSON API at
 * {@code /api/}. Requests run on virtual threads; a database call blocks only its own.
 */
public final class DashboardServer implements AutoCloseable {
    private final HttpServer server;
    private final Sessions sessions;
    private final ExecutorService executor;

    private DashboardServer(HttpServer server, Sessions sessions, ExecutorService executor) {
        this.server = server;
        this.sessions = sessions;
        this.executor = executor;
    }

    public static DashboardServer start(DashboardConfig config) throws IOException {
        InetSocketAddress at = new InetSocketAddress(config.host(), config.port());
        HttpServer server;
        if (config.tls() != null) {
            HttpsServer https = HttpsServer.create(at, 0);
            DashboardConfig.Tls tls = config.tls();
            https.setHttpsConfigurator(new HttpsConfigurator(tls.context()) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = tls.context().getDefaultSSLParameters();
                    p.setProtocols(tls.protocols().toArray(String[]::new));
                    p.setCipherSuites(tls.ciphers().stream()
                            .filter(java.util.Arrays.asList(tls.context().getSupportedSSLParameters().getCipherSuites())::contains)
                            .toArray(String[]::new));
                    params.setSSLParameters(p);
                }
            });
            server = https;
        } else {
            server = HttpServer.create(at, 0);
        }
        Sessions sessions = new Sessions(config);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/api/", new ApiHandler(sessions, config.meters(), config.tls() != null));
        server.createContext("/", new StaticAssets());
        server.start();
        return new DashboardServer(server, sessions, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Logged-in roles right now (each holds one connection through the sidecar). */
    public int sessions() {
        return sessions.size();
    }

    @Override
    public void close() {
        server.stop(0);
        sessions.close();
        executor.shutdownNow();
    }
}

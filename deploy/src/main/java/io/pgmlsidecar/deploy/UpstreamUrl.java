package io.pgmlsidecar.deploy;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** {@code postgresql://USER[:PASS]@HOST[:PORT][/DB]}: where the sidecar relays to. */
public record UpstreamUrl(String user, String password, String host, int port, String database) {

    public static UpstreamUrl parse(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + url);
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("upstream must look like postgresql://USER[:PASS]@HOST:PORT/DB, got " + url);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("upstream URL has no host: " + url);
        }
        String user = "postgres";
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String path = uri.getPath();
        String db = path == null || path.length() <= 1 ? user : decode(path.substring(1));
        return new UpstreamUrl(user, password, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The same server and credentials, another database (its name percent-encoded in the JDBC URL). */
    public UpstreamUrl inDatabase(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("empty database name");
        return new UpstreamUrl(user, password, host, port, name);
    }

    public String jdbcUrl() {
        if (!database.matches("[A-Za-z0-9_.$-]*")) {
            // a name with '?', '/', '&' or spaces must not become part of the URL's syntax
            return "jdbc:postgresql://" + host + ":" + port + "/"
                    + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        }
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The URL without the password, for logs. */
    public String redacted() {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
    }
}

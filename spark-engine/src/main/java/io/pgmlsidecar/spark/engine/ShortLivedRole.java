package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The credential a job reads with: a login role made for it alone, {@code NOINHERIT} and a member of the calling role
 * only, so it has no privilege of its own; the job's connections {@code SET ROLE} to the calling role at once and then
 * read with exactly that role's privileges, row-level security and {@code current_user}. Its password is random, sent
 * to the server hashed ({@code PGConnection.alterUserPassword}, so it is in no statement log), handed to the job on its
 * stdin, and valid for {@code ttl} minutes at most; {@link #close} drops the role when the job ends.
 * <p>The role is <em>leased</em> (decision 37r): from before it exists until after it is dropped, the sidecar holds a
 * session advisory lock on it ({@link #LEASE}, {@code hashtext(name)}) on a connection of its own in the job's
 * database, and the role's comment names that database and the job's staging table. A sidecar that dies loses the
 * connection and so the lease; {@link StaleJobSweeper} then finds the role unleased and drops it with its table.
 */
final class ShortLivedRole implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The first key of the jobs' advisory-lock leases ("pgml" in ASCII); the second is {@code hashtext(role name)}. */
    static final int LEASE = 0x70676d6c;
    static final String PREFIX = "pgml_spark_";

    private final SparkSettings settings;
    private final String database;
    private final Connection lease;
    final String name;
    final String password;

    private ShortLivedRole(SparkSettings settings, String database, Connection lease, String name, String password) {
        this.settings = settings;
        this.database = database;
        this.lease = lease;
        this.name = name;
        this.password = password;
    }

    /** @param staging the job's staging table (schema-qualified, quoted), or null for a training */
    static ShortLivedRole create(SparkSettings settings, String database, String callerRole, int connections, String staging) {
        byte[] id = new byte[8];
        byte[] secret = new byte[24];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String name = PREFIX + HexFormat.of().formatHex(id);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Connection lease = null;
        try (Connection c = admin(settings, database)) {
            lease = admin(settings, database);
            try (var ps = lease.prepareStatement("SELECT pg_advisory_lock(" + LEASE + ", hashtext(?))")) {
                ps.setString(1, name);
                ps.executeQuery().close();
            }
            try (Statement s = c.createStatement()) {
                String until;
                try (var rs = s.executeQuery("SELECT (now() + interval '" + settings.roleTtlMinutes() + " minutes')::text")) {
                    rs.next();
                    until = rs.getString(1);
                }
                s.execute("CREATE ROLE " + ident(name) + " LOGIN NOINHERIT CONNECTION LIMIT " + connections
                        + " VALID UNTIL '" + until + "'");
                s.execute("GRANT " + ident(callerRole) + " TO " + ident(name));
                var comment = JSON.createObjectNode().put("pgml-sidecar", "spark job").put("database", database).put("staging", staging);
                s.execute("COMMENT ON ROLE " + ident(name) + " IS '" + comment.toString().replace("'", "''") + "'");
            }
            c.unwrap(org.postgresql.PGConnection.class).alterUserPassword(name, password.toCharArray(), null);
        } catch (SQLException e) {
            closeQuietly(lease);
            throw new PgException(io.pgmlsidecar.proxy.codec.PgError.error(e.getSQLState() == null ? "58000" : e.getSQLState(),
                    "the spark engine could not make a login role for the job: " + e.getMessage(),
                    "--spark-admin-user must be a role with CREATEROLE that may grant " + callerRole
                            + " (a superuser for a superuser caller)."));
        }
        return new ShortLivedRole(settings, database, lease, name, password);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing frees the lease anyway
        }
    }

    /** A connection as {@code --spark-admin-user} to {@code database}. */
    static Connection admin(SparkSettings settings, String database) throws SQLException {
        return DriverManager.getConnection(settings.jdbcUrl(database), settings.adminUser(), settings.adminPassword());
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** Drops the role (its job has ended; a session it still had could no longer reconnect), then ends the lease. */
    @Override
    public void close() {
        try (Connection c = admin(settings, database); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + ident(name));
        } catch (SQLException e) {
            // VALID UNTIL still ends it, and the sweeper drops it once the lease is gone
            System.getLogger(ShortLivedRole.class.getName()).log(System.Logger.Level.WARNING,
                    "could not drop the job's login role " + name + ": " + e.getMessage());
        } finally {
            closeQuietly(lease);
        }
    }
}

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
 */
final class ShortLivedRole implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SparkSettings settings;
    private final String database;
    final String name;
    final String password;

    private ShortLivedRole(SparkSettings settings, String database, String name, String password) {
        this.settings = settings;
        this.database = database;
        this.name = name;
        this.password = password;
    }

    static ShortLivedRole create(SparkSettings settings, String database, String callerRole, int connections) {
        byte[] id = new byte[8];
        byte[] secret = new byte[24];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String name = "pgml_spark_" + HexFormat.of().formatHex(id);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try (Connection c = admin(settings, database)) {
            try (Statement s = c.createStatement()) {
                String until;
                try (var rs = s.executeQuery("SELECT (now() + interval '" + settings.roleTtlMinutes() + " minutes')::text")) {
                    rs.next();
                    until = rs.getString(1);
                }
                s.execute("CREATE ROLE " + ident(name) + " LOGIN NOINHERIT CONNECTION LIMIT " + connections
                        + " VALID UNTIL '" + until + "'");
                s.execute("GRANT " + ident(callerRole) + " TO " + ident(name));
            }
            c.unwrap(org.postgresql.PGConnection.class).alterUserPassword(name, password.toCharArray(), null);
        } catch (SQLException e) {
            throw new PgException(io.pgmlsidecar.proxy.codec.PgError.error(e.getSQLState() == null ? "58000" : e.getSQLState(),
                    "the spark engine could not make a login role for the job: " + e.getMessage(),
                    "--spark-admin-user must be a role with CREATEROLE that may grant " + callerRole
                            + " (a superuser for a superuser caller)."));
        }
        return new ShortLivedRole(settings, database, name, password);
    }

    private static Connection admin(SparkSettings settings, String database) throws SQLException {
        return DriverManager.getConnection(settings.jdbcUrl(database), settings.adminUser(), settings.adminPassword());
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** Drops the role (its job has ended; a session it still had could no longer reconnect). */
    @Override
    public void close() {
        try (Connection c = admin(settings, database); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + ident(name));
        } catch (SQLException e) {
            // VALID UNTIL still ends it; nothing the client can do about it
            System.getLogger(ShortLivedRole.class.getName()).log(System.Logger.Level.WARNING,
                    "could not drop the job's login role " + name + ": " + e.getMessage());
        }
    }
}

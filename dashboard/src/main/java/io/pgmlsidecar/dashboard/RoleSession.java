package io.pgmlsidecar.dashboard;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One logged-in role: its own connection through the sidecar (every read and write of the pages goes
 * over it, so PostgreSQL's grants decide what appears) and the token its state-changing requests
 * must carry. The connection serves one request at a time.
 */
final class RoleSession implements AutoCloseable {

    /** Work on the role's connection. */
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    final String id;
    final String role;
    final String database;
    final String csrfToken;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Instant lastUsed = Instant.now();

    RoleSession(String id, String role, String database, String csrfToken, Connection connection) {
        this.id = id;
        this.role = role;
        this.database = database;
        this.csrfToken = csrfToken;
        this.connection = connection;
    }

    <T> T use(SqlWork<T> work) {
        lock.lock();
        try {
            lastUsed = Instant.now();
            return work.run(connection);
        } catch (SQLException e) {
            ApiError error = ApiError.fromSql(e);
            throw closed() ? error.lostConnection() : error;
        } finally {
            lock.unlock();
        }
    }

    private boolean closed() {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    Instant lastUsed() {
        return lastUsed;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the session is gone either way
        }
    }
}

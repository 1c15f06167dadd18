package io.pgmlsidecar.it.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;

/** Waits, on a direct connection to PostgreSQL, until a pg_stat_activity count query finds a row. */
public final class UpstreamActivity {
    private UpstreamActivity() {}

    /** Polls {@code countQuery} (with {@code parameters}) until it returns more than 0, for up to 10 s. */
    public static void await(String countQuery, String failure, Object... parameters) throws Exception {
        await(10, countQuery, failure, parameters);
    }

    /** As {@link #await(String, String, Object...)}, waiting up to {@code seconds}. */
    public static void await(int seconds, String countQuery, String failure, Object... parameters) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try (Connection d = TestCluster.get().connectDirect(null); PreparedStatement ps = d.prepareStatement(countQuery)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError(failure);
    }
}

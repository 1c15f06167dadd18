package io.pgmlsidecar.spark.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The driver program of one bulk {@code UPDATE t SET e = pgml.embed(…)} or {@code SET c = pgml.transform(…)} on Spark.
 * Exchange with the sidecar (see {@link JobProtocol}): stdin {@code {"bulk": {jdbcUrl, user, password, role, relation,
 * from, reference, text, where, staging, partitions, model}}}; the driver creates the staging table as the
 * caller, one task per range of heap blocks embeds or classifies its rows into it ({@link RangeInference}), the table is analyzed for the sidecar's join; stdout
 * {@code {"event": "done", rows, seconds}}, progress lines per range, or {@code {"event": "error", …}} and exit 1.
 * The staging table is the sidecar's to drop, whatever happens here.
 */
public final class BulkJob {
    private BulkJob() {}

    public static void main(String[] args) {
        DriverMain.run(args, (protocol, driver) -> {
            String master = driver.master;
            com.fasterxml.jackson.databind.JsonNode first = protocol.next();
            BulkSpec spec = BulkSpec.of(first.path("bulk"));
            protocol.endWhenStdinCloses();
            long t0 = System.nanoTime();
            long[][] ranges = prepare(spec);
            String what = spec.model().classifies() ? "pgml.transform " : "pgml.embed ";
            SparkSession spark = driver.open(what + spec.connection().relation(), ranges.length, first);
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            protocol.progress("Spark " + spark.version() + " at " + master + ": " + (spec.model().classifies() ? "classifying " : "embedding ")
                    + spec.connection().relation() + " in "
                    + ranges.length + " ranges of its blocks as role " + spec.connection().role());
            List<Integer> parts = new ArrayList<>();
            for (int p = 0; p < ranges.length; p++) {
                parts.add(p);
            }
            long rows = 0;
            // toLocalIterator would stream; collect is enough for one pair per range
            for (long[] done : sc.parallelize(parts, ranges.length).mapPartitionsWithIndex(new RangeInference(spec, ranges), true).collect()) {
                rows += done[1];
            }
            try (Connection c = spec.connection().connect(); Statement s = c.createStatement()) {
                s.execute("ANALYZE " + spec.staging()); // the sidecar joins it with the table: a hash join, not a guess
            }
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("event", "done");
            done.put("rows", rows);
            done.put("seconds", (System.nanoTime() - t0) / 1e9);
            protocol.send(done);
        });
    }

    /**
     * As the caller: reads the text expression once (PostgreSQL's own errors for a column it may not read), creates the
     * staging table (owned by the caller, readable by nobody else, unlogged: it lives for one statement) and cuts the
     * table's heap into ranges.
     */
    private static long[][] prepare(BulkSpec spec) throws SQLException {
        try (Connection c = spec.connection().connect()) {
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT (" + spec.text() + ")::text FROM " + spec.from()
                        + (spec.where() == null ? "" : " WHERE " + spec.where()) + " LIMIT 0").close();
                s.execute("CREATE UNLOGGED TABLE " + spec.staging() + " (pgml_ctid tid, pgml_part int, pgml_hash int, "
                        + spec.resultColumn() + (spec.model().classifies() ? " jsonb" : " real[]") + ")");
            }
            long blocks;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_size(?::regclass) / current_setting('block_size')::int8")) {
                ps.setString(1, spec.connection().relation());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    blocks = rs.getLong(1);
                }
            }
            int k = spec.connection().partitions();
            long[][] ranges = new long[k][];
            for (int p = 0; p < k; p++) {
                ranges[p] = new long[] {blocks * p / k, p == k - 1 ? -1 : blocks * (p + 1) / k};
            }
            return ranges;
        }
    }
}

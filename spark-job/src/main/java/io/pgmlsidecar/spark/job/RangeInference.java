package io.pgmlsidecar.spark.job;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Runs on an executor: one range of the table's heap blocks read as the caller, embedded or classified in batches,
 * written into the staging table. Idempotent: the range's rows are written in one transaction that first deletes what an earlier
 * attempt of the same task wrote, so a retried task never leaves two versions and a killed one leaves none.
 * Returns {@code [range, rows]}.
 */
final class RangeInference implements Function2<Integer, Iterator<Integer>, Iterator<long[]>> {
    private static final long serialVersionUID = 1L;
    /** Texts read before each model call: the model's batches are cut from them, longest first. */
    private static final int CHUNK = 256;

    private final BulkSpec spec;
    private final long[][] ranges;

    RangeInference(BulkSpec spec, long[][] ranges) {
        this.spec = spec;
        this.ranges = ranges;
    }

    @Override
    public Iterator<long[]> call(Integer range, Iterator<Integer> ignored) {
        ExecutorModel model = ExecutorModel.of(spec.model());
        long[] r = ranges[range];
        String ref = spec.reference();
        String text = "(" + spec.text() + ")::text";
        String sql = "SELECT " + ref + ".ctid::text, " + text + ", hashtext(" + text + ") FROM " + spec.from()
                + " WHERE " + ref + ".ctid >= '(" + r[0] + ",0)'::tid" + (r[1] < 0 ? "" : " AND " + ref + ".ctid < '(" + r[1] + ",0)'::tid")
                + (spec.where() == null ? "" : " AND (" + spec.where() + ")");
        long rows = 0;
        try (Connection read = spec.connection().connect(); Connection write = spec.connection().connect()) {
            read.setAutoCommit(false); // a cursor: rows arrive in fetches
            write.setAutoCommit(false); // the range's rows commit together, or not at all
            try (Statement s = write.createStatement()) {
                // one writer per range at a time (a zombie attempt of the task waits here, then its delete sees our rows)
                s.execute("SELECT pg_advisory_xact_lock(hashtext('" + spec.staging().replace("'", "''") + "'), " + range + ")");
                s.executeUpdate("DELETE FROM " + spec.staging() + " WHERE pgml_part = " + range);
            }
            CopyIn copy = write.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + spec.staging() + " (pgml_ctid, pgml_part, pgml_hash, " + spec.resultColumn() + ") FROM STDIN");
            try (Statement s = read.createStatement()) {
                s.setFetchSize(2_000);
                try (ResultSet rs = s.executeQuery(sql)) {
                    List<String[]> chunk = new ArrayList<>(CHUNK);
                    while (rs.next()) {
                        chunk.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                        if (chunk.size() == CHUNK) {
                            rows += write(model, chunk, range, copy);
                        }
                    }
                    rows += write(model, chunk, range, copy);
                }
            }
            copy.endCopy();
            write.commit();
            read.rollback();
        } catch (SQLException e) {
            throw JobFailure.of(e);
        }
        return List.of(new long[] {range, rows}).iterator();
    }

    private static int write(ExecutorModel model, List<String[]> chunk, int range, CopyIn copy) throws SQLException {
        List<String> texts = new ArrayList<>(chunk.size());
        for (String[] row : chunk) {
            texts.add(row[1]);
        }
        boolean classify = model.classifies();
        float[][] vectors = classify ? null : model.embed(texts);
        String[] results = classify ? model.classify(texts) : null;
        StringBuilder out = new StringBuilder(chunk.size() * (classify ? 128 : 4_096));
        for (int i = 0; i < chunk.size(); i++) {
            String[] row = chunk.get(i);
            out.append(row[0]).append('\t').append(range).append('\t').append(row[2] == null ? "\\N" : row[2]).append('\t');
            if (classify) {
                appendCopyText(out, results[i]);
            } else if (vectors[i] == null) {
                out.append("\\N");
            } else {
                float[] v = vectors[i];
                out.append('{');
                for (int j = 0; j < v.length; j++) {
                    // Float.toString is the shortest text that reads back as the same float: the vector arrives exact
                    out.append(j > 0 ? "," : "").append(Float.toString(v[j]));
                }
                out.append('}');
            }
            out.append('\n');
        }
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        int n = chunk.size();
        chunk.clear();
        return n;
    }

    /** A value in COPY's text format: backslash, tab, newline and carriage return escaped (labels may hold any of them). */
    static void appendCopyText(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }
}

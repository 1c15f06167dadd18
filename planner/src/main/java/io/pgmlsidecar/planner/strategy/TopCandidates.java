package io.pgmlsidecar.planner.strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The argument tuples whose result ranks within the first {@code rows} in an ORDER BY on the call
 * (decision 33), ties with the last one included, kept in bounded memory while chunks are
 * computed. Results are compared the way PostgreSQL orders their type: from the text stored, so a
 * {@code real} compares as the float PostgreSQL reads back; NaN above every number; NULLs first or
 * last as the ORDER BY says.
 */
final class TopCandidates {

    /** One computed tuple: its two hashes and result text, and the result as a comparable value. */
    record Candidate(String hash, String hash2, String text, Object value) {}

    /** SQL NULL among the values (a priority queue holds no null). */
    private static final Object NULL = new Object();

    private final long rows;
    private final Comparator<Object> order;
    private final String sqlType;
    /** The best {@code rows} values seen, the worst on top. */
    private final PriorityQueue<Object> best;
    private final List<Candidate> kept = new ArrayList<>();

    TopCandidates(long rows, boolean descending, boolean nullsFirst, String sqlType) {
        this.rows = rows;
        this.sqlType = sqlType;
        Comparator<Object> byValue = TopCandidates::compareValues;
        Comparator<Object> directed = descending ? byValue.reversed() : byValue;
        this.order = (a, b) -> {
            if (a == NULL || b == NULL) {
                return a == b ? 0 : ((a == NULL) == nullsFirst ? -1 : 1);
            }
            return directed.compare(a, b);
        };
        this.best = new PriorityQueue<>(order.reversed());
    }

    /** Whether results of the type can be ranked here. */
    static boolean ranks(String sqlType) {
        return sqlType.equals("real") || sqlType.equals("double precision") || sqlType.equals("bigint");
    }

    void add(String hash, String hash2, String text) {
        if (rows == 0) {
            return;
        }
        Object value = value(text);
        if (best.size() == rows && order.compare(value, best.peek()) > 0) {
            return; // ranks below the current last of the first rows
        }
        best.add(value);
        if (best.size() > rows) {
            best.poll();
        }
        kept.add(new Candidate(hash, hash2, text, value));
        if (kept.size() > 2 * rows + 4096) {
            prune();
        }
    }

    /** The tuples within the first {@code rows} (with ties), in no particular order. */
    List<Candidate> winners() {
        prune();
        return kept;
    }

    private void prune() {
        if (best.size() < rows) {
            return;
        }
        Object last = best.peek();
        kept.removeIf(c -> order.compare(c.value(), last) > 0);
    }

    private Object value(String text) {
        if (text == null) {
            return NULL;
        }
        return switch (sqlType) {
            case "real" -> (double) Float.parseFloat(text);
            case "double precision" -> Double.parseDouble(text);
            default -> Long.parseLong(text);
        };
    }

    /** PostgreSQL's order of float8 (NaN equals NaN and is above everything, -0 equals 0) and of bigint. */
    private static int compareValues(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        double x = ((Number) a).doubleValue();
        double y = ((Number) b).doubleValue();
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return Double.isNaN(x) ? (Double.isNaN(y) ? 0 : 1) : -1;
        }
        return x < y ? -1 : (x > y ? 1 : 0);
    }
}

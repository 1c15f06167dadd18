package io.pgmlsidecar.planner.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The tuples an ORDER BY on a call … LIMIT n can reach, in PostgreSQL's order of the result type. */
class TopCandidatesTest {

    private static TreeSet<String> winners(TopCandidates top) {
        TreeSet<String> out = new TreeSet<>();
        for (TopCandidates.Candidate c : top.winners()) {
            out.add(c.hash());
        }
        return out;
    }

    @Test
    void keepsTiesWithTheLastOfTheFirstRows() {
        TopCandidates top = new TopCandidates(2, true, true, "real");
        String[] values = {"1", "3", "2", "3", "2", "0"};
        for (int i = 0; i < values.length; i++) {
            top.add("t" + i, "x", values[i]);
        }
        assertEquals(new TreeSet<>(List.of("t1", "t3")), winners(top), "3 and 3 fill the first two rows");
        top.add("t6", "x", "2.5");
        assertEquals(new TreeSet<>(List.of("t1", "t3")), winners(top));
        TopCandidates three = new TopCandidates(3, true, true, "real");
        for (int i = 0; i < values.length; i++) {
            three.add("t" + i, "x", values[i]);
        }
        assertEquals(new TreeSet<>(List.of("t1", "t2", "t3", "t4")), winners(three), "both 2s tie for the third row");
    }

    @Test
    void ordersNaNAboveNumbersAndNullsAsTheOrderBySays() {
        TopCandidates desc = new TopCandidates(2, true, true, "double precision");
        for (String[] v : new String[][] {{"a", "Infinity"}, {"b", "NaN"}, {"c", null}, {"d", "-0"}, {"e", "0"}}) {
            desc.add(v[0], "x", v[1]);
        }
        assertEquals(new TreeSet<>(List.of("b", "c")), winners(desc), "DESC NULLS FIRST: NULL, then NaN");
        TopCandidates asc = new TopCandidates(1, false, false, "double precision");
        for (String[] v : new String[][] {{"a", "Infinity"}, {"b", "NaN"}, {"c", null}, {"d", "-0"}, {"e", "0"}}) {
            asc.add(v[0], "x", v[1]);
        }
        assertEquals(new TreeSet<>(List.of("d", "e")), winners(asc), "-0 equals 0 in PostgreSQL");
    }

    @Test
    void realsCompareAsTheFloatsPostgresReadsBack() {
        TopCandidates top = new TopCandidates(1, true, false, "real");
        top.add("a", "x", "0.1");
        top.add("b", "x", "0.10000000001"); // the same float4
        assertEquals(new TreeSet<>(List.of("a", "b")), winners(top));
    }

    @Test
    void agreesWithSortingEverythingOnManyTuples() {
        Random r = new Random(7);
        for (int round = 0; round < 50; round++) {
            int n = 1 + r.nextInt(20_000);
            long rows = r.nextInt(300);
            boolean descending = r.nextBoolean();
            TopCandidates top = new TopCandidates(rows, descending, false, "bigint");
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = r.nextInt(1 + r.nextInt(5000));
                top.add("h" + i, "x", Long.toString(values[i]));
            }
            long[] sorted = java.util.Arrays.stream(values).map(v -> descending ? -v : v).sorted().map(v -> descending ? -v : v).toArray();
            TreeSet<String> expected = new TreeSet<>();
            if (rows > 0) {
                long last = sorted[(int) Math.min(rows, n) - 1];
                for (int i = 0; i < n; i++) {
                    if (descending ? values[i] >= last : values[i] <= last) {
                        expected.add("h" + i);
                    }
                }
            }
            assertEquals(expected, winners(top), "round " + round);
        }
    }
}

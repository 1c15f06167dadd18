package io.pgmlsidecar.ml.pipelines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * transformers' token-classification {@code aggregation_strategy}: NONE reports every token, SIMPLE
 * merges B-/I- runs of tokens into entity groups, FIRST/AVERAGE/MAX first fuse a word's sub-word
 * tokens into one labelled word (by the first token's label, the averaged scores, or the most
 * confident token) and then group words.
 */
public enum EntityAggregation {
    NONE, SIMPLE, FIRST, AVERAGE, MAX;

    /** A token (or, after word fusion, a word) with its class scores and text span. */
    record Piece(long[] ids, String word, float[] scores, int index, int start, int end, boolean subword) {}

    /** A labelled token or word: {@code entity} is the full label (e.g. B-LOC). */
    record Labelled(String entity, float score, int index, String word, long[] ids, int start, int end) {}

    /** A group of consecutive tokens or words of one entity type. */
    record Group(String entityGroup, float score, String word, int start, int end) {}

    /** Labels every piece by its best class (NONE and SIMPLE) or fuses words first (FIRST, AVERAGE, MAX). */
    List<Labelled> label(List<Piece> pieces, List<String> labels, Function<long[], String> decode) {
        List<Labelled> out = new ArrayList<>();
        if (this == NONE || this == SIMPLE) {
            for (Piece p : pieces) {
                int best = Scores.argmax(p.scores());
                out.add(new Labelled(labels.get(best), p.scores()[best], p.index(), p.word(), p.ids(), p.start(), p.end()));
            }
            return out;
        }
        List<Piece> word = new ArrayList<>();
        for (Piece p : pieces) {
            if (!word.isEmpty() && !p.subword()) {
                out.add(fuseWord(word, labels, decode));
                word = new ArrayList<>();
            }
            word.add(p);
        }
        if (!word.isEmpty()) out.add(fuseWord(word, labels, decode));
        return out;
    }

    private Labelled fuseWord(List<Piece> tokens, List<String> labels, Function<long[], String> decode) {
        float[] scores = switch (this) {
            case FIRST -> tokens.get(0).scores();
            case MAX -> {
                Piece best = tokens.get(0);
                for (Piece p : tokens) if (max(p.scores()) > max(best.scores())) best = p;
                yield best.scores();
            }
            case AVERAGE -> {
                float[] avg = new float[tokens.get(0).scores().length];
                for (Piece p : tokens) for (int i = 0; i < avg.length; i++) avg[i] += p.scores()[i];
                for (int i = 0; i < avg.length; i++) avg[i] /= tokens.size();
                yield avg;
            }
            default -> throw new IllegalStateException(name());
        };
        int best = Scores.argmax(scores);
        long[] ids = concatIds(tokens.stream().map(Piece::ids).toList());
        String word = decode.apply(ids);
        return new Labelled(labels.get(best), scores[best], tokens.get(0).index(), word, ids,
                tokens.get(0).start(), tokens.get(tokens.size() - 1).end());
    }

    /**
     * Merges consecutive entities of the same type unless the later one starts a new entity (B-);
     * labels without a B-/I- prefix count as I-. The group's score is the mean of its members'.
     */
    static List<Group> group(List<Labelled> entities, Function<long[], String> decode) {
        List<Group> groups = new ArrayList<>();
        List<Labelled> current = new ArrayList<>();
        for (Labelled e : entities) {
            if (!current.isEmpty()) {
                String[] tag = tag(e.entity());
                String[] last = tag(current.get(current.size() - 1).entity());
                if (!(tag[1].equals(last[1]) && !tag[0].equals("B"))) {
                    groups.add(merge(current, decode));
                    current = new ArrayList<>();
                }
            }
            current.add(e);
        }
        if (!current.isEmpty()) groups.add(merge(current, decode));
        return groups;
    }

    private static Group merge(List<Labelled> members, Function<long[], String> decode) {
        String label = members.get(0).entity();
        int dash = label.indexOf('-');
        String type = dash >= 0 ? label.substring(dash + 1) : label;
        double sum = 0;
        for (Labelled m : members) sum += m.score();
        String word = decode.apply(concatIds(members.stream().map(Labelled::ids).toList()));
        return new Group(type, (float) (sum / members.size()), word, members.get(0).start(),
                members.get(members.size() - 1).end());
    }

    /** {B|I, type}: "B-LOC" → {B, LOC}; "I-LOC" and "LOC" → {I, LOC}. */
    private static String[] tag(String label) {
        if (label.startsWith("B-")) return new String[] {"B", label.substring(2)};
        if (label.startsWith("I-")) return new String[] {"I", label.substring(2)};
        return new String[] {"I", label};
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) m = Math.max(m, x);
        return m;
    }

    private static long[] concatIds(List<long[]> parts) {
        int n = 0;
        for (long[] p : parts) n += p.length;
        long[] out = new long[n];
        int k = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return Arrays.copyOf(out, k);
    }
}

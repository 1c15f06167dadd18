package io.pgmlsidecar.ml.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * One input encoded with everything the task pipelines need to map tokens back to text, special
 * tokens included. Arrays are parallel, one entry per token.
 *
 * @param ids          token ids
 * @param typeIds      token type ids (segment ids)
 * @param tokens       token strings as in the vocabulary (e.g. {@code ##ing})
 * @param specialMask  1 for special tokens added by the template ([CLS], [SEP], &lt;s&gt;), else 0
 * @param wordIds      index of the word a token belongs to within its sequence, -1 for special tokens
 * @param sequenceIds  0 for the first text, 1 for the pair text, -1 for special tokens
 * @param starts       char offset where the token starts in its own text (first or pair), 0 for specials
 * @param ends         char offset where it ends (exclusive), 0 for specials
 * @param truncated    whether tokens were dropped to fit the max length
 */
public record TokenSpans(long[] ids, long[] typeIds, String[] tokens, long[] specialMask, long[] wordIds,
                         long[] sequenceIds, int[] starts, int[] ends, boolean truncated) {
    public int length() {
        return ids.length;
    }

    public boolean special(int i) {
        return specialMask[i] != 0;
    }

    /**
     * Keeps at most {@code max} tokens: drops text tokens from the end of the longer sequence first
     * (transformers' {@code longest_first}), or only from the first sequence when {@code onlyFirst};
     * special tokens are always kept, so the template stays intact.
     */
    public TokenSpans truncate(int max, boolean onlyFirst) {
        if (length() <= max) return this;
        int n0 = 0, n1 = 0;
        for (long s : sequenceIds) {
            if (s == 0) n0++;
            else if (s == 1) n1++;
        }
        int remove = length() - max;
        while (remove > 0 && (n0 > 0 || n1 > 0)) {
            if (onlyFirst ? n0 > 0 : n0 >= n1 && n0 > 0) n0--;
            else if (n1 > 0) n1--;
            else n0--;
            remove--;
        }
        int[] keep = new int[length()];
        int k = 0, seen0 = 0, seen1 = 0;
        for (int i = 0; i < length(); i++) {
            long s = sequenceIds[i];
            boolean kept = s == 0 ? seen0++ < n0 : s == 1 ? seen1++ < n1 : true;
            if (kept) keep[k++] = i;
        }
        return select(java.util.Arrays.copyOf(keep, k), true);
    }

    /** The tokens at {@code positions}, in that order. */
    public TokenSpans select(int[] positions, boolean truncatedNow) {
        int n = positions.length;
        long[] i2 = new long[n], t2 = new long[n], s2 = new long[n], w2 = new long[n], q2 = new long[n];
        String[] k2 = new String[n];
        int[] st = new int[n], en = new int[n];
        for (int j = 0; j < n; j++) {
            int p = positions[j];
            i2[j] = ids[p];
            t2[j] = typeIds[p];
            k2[j] = tokens[p];
            s2[j] = specialMask[p];
            w2[j] = wordIds[p];
            q2[j] = sequenceIds[p];
            st[j] = starts[p];
            en[j] = ends[p];
        }
        return new TokenSpans(i2, t2, k2, s2, w2, q2, st, en, truncated || truncatedNow);
    }

    /**
     * Overlapping windows of at most {@code max} tokens over a single text, each with the template's
     * special tokens around its part of the text, consecutive parts sharing {@code stride} tokens
     * (what a fast tokenizer's {@code return_overflowing_tokens} with {@code stride} gives).
     */
    public List<TokenSpans> windows(int max, int stride) {
        List<Integer> lead = new ArrayList<>(), text = new ArrayList<>(), trail = new ArrayList<>();
        for (int i = 0; i < length(); i++) {
            if (!special(i)) text.add(i);
            else if (text.isEmpty()) lead.add(i);
            else trail.add(i);
        }
        int room = max - lead.size() - trail.size();
        if (length() <= max || room <= stride) {
            return List.of(truncate(max, false));
        }
        List<TokenSpans> out = new ArrayList<>();
        for (int from = 0; ; from += room - stride) {
            int to = Math.min(text.size(), from + room);
            int[] positions = new int[lead.size() + (to - from) + trail.size()];
            int k = 0;
            for (int p : lead) positions[k++] = p;
            for (int t = from; t < to; t++) positions[k++] = text.get(t);
            for (int p : trail) positions[k++] = p;
            out.add(select(positions, true));
            if (to == text.size()) break;
        }
        return out;
    }
}

package io.pgmlsidecar.ml.remote;

import io.pgmlsidecar.ml.remote.PendingUnit.Input;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The units waiting for one endpoint, in order, and how the next request is cut from them: a single
 * request alone, or the head input with the queued inputs of the same batch key, up to the batch size of
 * distinct texts. Not thread-safe: the scheduler's lock guards it.
 */
final class WorkQueue {
    private final ArrayDeque<PendingUnit> units = new ArrayDeque<>();

    void addAll(Collection<? extends PendingUnit> more) {
        units.addAll(more);
    }

    /** Puts units back at the head, in their order: they were first in line. */
    void requeueFirst(List<PendingUnit> again) {
        for (int i = again.size() - 1; i >= 0; i--) units.addFirst(again.get(i));
    }

    /** The head, after dropping units whose call already ended (failed, timed out, cancelled). */
    PendingUnit head() {
        units.removeIf(u -> u.call.finished());
        return units.peekFirst();
    }

    boolean isEmpty() {
        return head() == null;
    }

    int size() {
        return units.size();
    }

    void clear() {
        units.clear();
    }

    /** Distinct texts queued that could share {@code first}'s request, counted up to {@code max}. */
    int batchable(Input first, int max) {
        Set<String> texts = new HashSet<>();
        for (PendingUnit u : units) {
            if (u instanceof Input in && in.batchKey.equals(first.batchKey) && texts.add(in.text) && texts.size() >= max) break;
        }
        return texts.size();
    }

    /** Removes and returns the next request's units (the head must be live: see {@link #head()}). */
    List<PendingUnit> takeNext(int maxBatch) {
        if (!(units.peekFirst() instanceof Input first)) return List.of(units.pollFirst());
        Set<String> texts = new HashSet<>();
        List<PendingUnit> taken = new ArrayList<>();
        for (Iterator<PendingUnit> it = units.iterator(); it.hasNext(); ) {
            if (!(it.next() instanceof Input in) || !in.batchKey.equals(first.batchKey)) continue;
            if (!texts.contains(in.text)) {
                if (texts.size() == maxBatch) break;
                texts.add(in.text);
            }
            it.remove();
            taken.add(in);
        }
        return taken;
    }
}

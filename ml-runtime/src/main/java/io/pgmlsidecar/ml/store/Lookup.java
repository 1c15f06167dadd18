package io.pgmlsidecar.ml.store;

import io.pgmlsidecar.ml.ModelFormatException;
import java.util.ArrayList;
import java.util.List;

/** What a model lookup saw: one line per place looked at, and any model found in an unusable form. */
public final class Lookup {
    private final List<String> lookedAt = new ArrayList<>();
    private final List<ModelFormatException> unusable = new ArrayList<>();

    /** Records that {@code place} does not have the model, and why (e.g. "no such directory"). */
    public void missed(String place, String why) {
        lookedAt.add(why == null || why.isBlank() ? place : place + " (" + why + ")");
    }

    void unusable(String place, ModelFormatException e) {
        lookedAt.add(place + " (found, but unusable: " + e.getMessage() + ")");
        unusable.add(e);
    }

    public List<String> lookedAt() {
        return List.copyOf(lookedAt);
    }

    List<ModelFormatException> unusable() {
        return unusable;
    }
}

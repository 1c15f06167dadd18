package io.pgmlsidecar.ml.store.hub;

import java.util.List;

/** A repository's files at a revision, resolved to its commit. */
public record RepoListing(String repo, String revision, String commit, List<RepoFile> files) {
    public RepoListing {
        files = List.copyOf(files);
    }
}

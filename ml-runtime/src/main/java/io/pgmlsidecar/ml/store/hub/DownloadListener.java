package io.pgmlsidecar.ml.store.hub;

import java.nio.file.Path;
import java.util.List;

/** Progress of a {@link RepositoryDownloader} run; every method has an empty default. Called on the downloading thread. */
public interface DownloadListener {
    DownloadListener NONE = new DownloadListener() {};

    /** The repository was listed: {@code selected} will be fetched (or found complete), {@code filteredOut} were left out by the patterns. */
    default void listed(RepoListing listing, List<RepoFile> selected, int filteredOut) {}

    /** {@code file} is already complete in {@code dest} (right size and checksum): not fetched. */
    default void skipped(RepoFile file, Path dest) {}

    /** A transfer of {@code file} starts, at byte {@code from} (greater than 0 when a partial file is resumed). */
    default void started(RepoFile file, long from) {}

    /** {@code done} of {@code file.size()} bytes are on disk; called every 1 MiB or so. */
    default void progress(RepoFile file, long done) {}

    /** {@code file} was downloaded, checked and moved into place at {@code dest}. */
    default void finished(RepoFile file, Path dest) {}
}

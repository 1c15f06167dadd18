package io.pgmlsidecar.ml.store.hub;

/**
 * One file of a hub repository at a commit, as the tree API lists it.
 *
 * @param path   path inside the repository, {@code /}-separated (e.g. {@code onnx/model.onnx})
 * @param size   size in bytes
 * @param oid    git blob id (SHA-1 of {@code "blob <size>\0" + content}) of a file stored in git; for an
 *               LFS file the id of its pointer, not of the content
 * @param sha256 hex SHA-256 of the content of an LFS file; null for a file stored in git
 */
public record RepoFile(String path, long size, String oid, String sha256) {
    public boolean lfs() {
        return sha256 != null;
    }
}

package io.pgmlsidecar.planner.tune;

import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The files of a tuned model in {@code pgml.files} (as PostgresML keeps them: one row per path and
 * part, parts of at most 100 MB), written through the client's session so they commit or roll back
 * with the tune call, and copied back out to a local directory on first use by any sidecar.
 */
public final class TunedModelFiles {
    /** PostgresML splits checkpoint files into 100 MB parts. */
    static final int PART_BYTES = 100 * 1024 * 1024;
    private static final String COMPLETE = ".pgml-complete";

    private TunedModelFiles() {}

    /** Stores every file under {@code dir} (relative paths with '/') for {@code modelId}. */
    public static void store(BackendClient backend, long modelId, Path dir) {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] id = Long.toString(modelId).getBytes(StandardCharsets.UTF_8);
        backend.prepare("", "INSERT INTO pgml.files (model_id, path, part, data) VALUES ($1, $2, $3, $4)",
                new int[] {PgTypes.INT8, PgTypes.TEXT, PgTypes.INT4, PgTypes.BYTEA});
        byte[] buffer = new byte[PART_BYTES];
        for (Path f : files) {
            byte[] path = dir.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8);
            try (InputStream in = Files.newInputStream(f)) {
                int part = 0;
                while (true) {
                    int n = in.readNBytes(buffer, 0, PART_BYTES);
                    if (n == 0 && part > 0) {
                        break;
                    }
                    byte[] data = n == PART_BYTES ? buffer : java.util.Arrays.copyOf(buffer, n);
                    backend.bind("", "", new short[] {0, 0, 0, 1},
                            new byte[][] {id, path, Integer.toString(part).getBytes(StandardCharsets.UTF_8), data}, new short[0]);
                    backend.execute("", 0, BackendSteps.collect(new ArrayList<>()));
                    part++;
                    if (n < PART_BYTES) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The local copy of {@code modelId}'s files under {@code root/<database>/<modelId>-<created>/},
     * read from pgml.files through the session the first time. A copy is used only once complete.
     * The model's creation time is part of the name: ids repeat across databases of the same name
     * (a restored or recreated server), and an old copy must never answer for a new model.
     */
    public static Path materialize(BackendClient backend, Path root, String database, long modelId) {
        List<String[]> created = BackendSteps.query(backend, "SELECT (extract(epoch FROM created_at) * 1000000)::bigint "
                + "FROM pgml.models WHERE id = $1::bigint", modelId);
        if (created.isEmpty()) {
            throw new PgException(PgError.error("42704", "model " + modelId + " does not exist", null));
        }
        Path dir = root.resolve(safe(database)).resolve(modelId + "-" + created.get(0)[0]);
        if (Files.isRegularFile(dir.resolve(COMPLETE))) {
            return dir;
        }
        List<String[]> paths = BackendSteps.query(backend,
                "SELECT path, count(*) FROM pgml.files WHERE model_id = $1 GROUP BY path ORDER BY path", modelId);
        if (paths.isEmpty()) {
            throw new PgException(PgError.error("42704", "model " + modelId + " has no files in pgml.files",
                    "Tune the project again, or deploy another model."));
        }
        Path tmp = dir.resolveSibling("." + modelId + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            backend.prepare("", "SELECT data FROM pgml.files WHERE model_id = $1 AND path = $2 ORDER BY part",
                    new int[] {PgTypes.INT8, PgTypes.TEXT});
            for (String[] p : paths) {
                Path target = tmp.resolve(p[0]).normalize();
                if (!target.startsWith(tmp)) {
                    throw new PgException("22023", "pgml.files path \"" + p[0] + "\" of model " + modelId + " leaves its directory", null);
                }
                Files.createDirectories(target.getParent());
                List<byte[][]> parts = new ArrayList<>();
                backend.bind("", "", new short[0], new byte[][] {Long.toString(modelId).getBytes(StandardCharsets.UTF_8),
                        p[0].getBytes(StandardCharsets.UTF_8)}, new short[] {1});
                backend.execute("", 0, BackendSteps.collect(parts));
                try (OutputStream out = Files.newOutputStream(target)) {
                    for (byte[][] part : parts) {
                        out.write(part[0]);
                    }
                }
            }
            Files.writeString(tmp.resolve(COMPLETE), Long.toString(modelId));
            Files.createDirectories(dir.getParent());
            if (Files.isRegularFile(dir.resolve(COMPLETE))) {
                deleteTree(tmp); // another session finished first
            } else {
                deleteTree(dir);
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String safe(String database) {
        return database.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}

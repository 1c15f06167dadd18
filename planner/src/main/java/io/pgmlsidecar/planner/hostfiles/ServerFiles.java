package io.pgmlsidecar.planner.hostfiles;

import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The rule for calls that read or write files on the sidecar's host (load_dataset's {@code path}, dump_all, load_all).
 * They act with the sidecar process's rights, so they get PostgreSQL's rule for server files: the calling role
 * ({@code current_user} on its own session, so the upstream decides, SET ROLE included) must have the privileges of
 * {@code pg_read_server_files} or {@code pg_write_server_files} (superusers have them). On top of that, the operator
 * names one directory ({@code --server-files-dir}); paths are taken relative to it, and neither {@code ..} nor a
 * symbolic link may lead out of it. Without that directory, host file access is off.
 */
public final class ServerFiles {

    /** Host file access off: every such call is refused. */
    public static final ServerFiles OFF = new ServerFiles(null);

    /** Opening a file for writing without following a symbolic link planted at its name. */
    public static final OpenOption[] WRITE_NO_FOLLOW = {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS};

    private final Path root;

    private ServerFiles(Path root) {
        this.root = root;
    }

    /** Host file access confined to {@code root} (created if missing); null: off. */
    public static ServerFiles under(Path root) {
        if (root == null) {
            return OFF;
        }
        try {
            Files.createDirectories(root);
            return new ServerFiles(root.toRealPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + root + " as the server files directory", e);
        }
    }

    /** The directory paths are confined to; null when access is off. */
    public Path root() {
        return root;
    }

    /** An existing regular file to read, for {@code function}, or an ErrorResponse. */
    public Path fileToRead(SessionContext session, String path, String function) {
        return existingToRead(session, path, function, Files::isRegularFile, "could not open file \"" + path + "\" for reading: No such file");
    }

    /** A directory to read files from. */
    public Path directoryToRead(SessionContext session, String path, String function) {
        return existingToRead(session, path, function, Files::isDirectory, "could not open directory \"" + path + "\": No such directory");
    }

    private Path existingToRead(SessionContext session, String path, String function, java.util.function.Predicate<Path> exists,
            String missing) {
        Path p = confined(session, path, function, Access.READ);
        if (!exists.test(p)) {
            throw new PgException(PgError.error("58P01", missing, "Paths are relative to the sidecar's server files directory " + root + "."));
        }
        return insideAfterLinks(p, path);
    }

    /** A directory to write files into, created if missing; write its files with {@link #WRITE_NO_FOLLOW}. */
    public Path directoryToWrite(SessionContext session, String path, String function) {
        Path p = confined(session, path, function, Access.WRITE);
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null) {
            insideAfterLinks(existing, path); // a link among the existing parents must not lead out
        }
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new PgException(PgError.error("58030", "could not create directory \"" + path + "\": " + e.getMessage(),
                    "The sidecar process must be able to write to its server files directory " + root + "."));
        }
        return insideAfterLinks(p, path);
    }

    private enum Access {
        READ("pg_read_server_files", "read"), WRITE("pg_write_server_files", "write");

        final String role;
        final String verb;

        Access(String role, String verb) {
            this.role = role;
            this.verb = verb;
        }
    }

    private Path confined(SessionContext session, String path, String function, Access access) {
        if (path == null || path.isBlank()) {
            throw new PgException(PgError.error("22004", "the path of " + function + " must not be NULL or empty",
                    "Name a file or directory under the sidecar's server files directory."));
        }
        boolean allowed = "true".equals(BackendSteps.query(session.backend(),
                "SELECT pg_has_role(current_user, $1, 'USAGE')::text", access.role).get(0)[0]);
        if (!allowed) {
            throw new PgException(PgError.error("42501", "permission denied to " + access.verb + " files on the sidecar's host: "
                    + "must be superuser or have privileges of the " + access.role + " role to call " + function + " with a path",
                    access == Access.READ
                            ? "Load the file into a table with psql's \\copy and use the table; or ask for GRANT " + access.role + "."
                            : "Ask an administrator for GRANT " + access.role + ", or copy the pgml tables with psql's \\copy."));
        }
        if (root == null) {
            throw new PgException(PgError.error("55000", "access to files on the sidecar's host is off",
                    "Start the sidecar with --server-files-dir DIR (or PGML_SIDECAR_SERVER_FILES_DIR) to let privileged "
                            + "roles read and write files under DIR."));
        }
        Path given = Path.of(path);
        for (Path part : given) {
            if (part.toString().equals("..")) {
                throw new PgException(PgError.error("42501", "reference to parent directory (\"..\") not allowed",
                        "Paths are confined to the sidecar's server files directory " + root + "."));
            }
        }
        Path p = root.resolve(given).normalize();
        if (!p.startsWith(root)) {
            throw new PgException(PgError.error("42501", "path \"" + path + "\" is outside the sidecar's server files directory",
                    "Use a path relative to " + root + ", or an absolute path under it."));
        }
        return p;
    }

    /** The path with its links resolved, if that is still under the root. */
    private Path insideAfterLinks(Path p, String given) {
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(root)) {
                throw new PgException(PgError.error("42501", "path \"" + given + "\" leads outside the sidecar's server files "
                        + "directory through a symbolic link", "Symbolic links out of " + root + " are not followed."));
            }
            return real;
        } catch (IOException e) {
            throw new PgException(PgError.error("58030", "could not access \"" + given + "\": " + e.getMessage(), null));
        }
    }
}

package io.pgmlsidecar.planner.tabular;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.planner.hostfiles.ServerFiles;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * pgml.dump_all(path) / pgml.load_all(path): the registry (projects, snapshots, models, files,
 * deployments) as one CSV file per table with a header, like PostgresML's COPY … CSV HEADER, but
 * written and read by the sidecar on its own host through the session (moving a registry to a
 * managed database, where the database server's files are out of reach). The host's files get
 * PostgreSQL's rule for server files, see {@link ServerFiles}. load_all inserts in one
 * transaction and moves the id sequences past the loaded ids, which PostgresML forgets.
 */
public final class RegistryDump {

    private static final List<String> TABLES = List.of("projects", "snapshots", "models", "files", "deployments");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_ROWS = 500;

    private final ServerFiles files;

    public RegistryDump(ServerFiles files) {
        this.files = files;
    }

    public void dump(SessionContext session, String directory) {
        Path dir = files.directoryToWrite(session, directory, "pgml.dump_all");
        BackendClient backend = session.backend();
        try {
            for (String table : TABLES) {
                List<String> columns = columns(backend, table);
                try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(table + ".csv"), StandardCharsets.UTF_8,
                        ServerFiles.WRITE_NO_FOLLOW)) {
                    out.write(CsvText.line(columns));
                    for (String[] row : BackendSteps.query(backend, "SELECT " + String.join(", ", columns.stream()
                            .map(c -> '"' + c + "\"::text").toList()) + " FROM pgml." + table + " ORDER BY 1")) {
                        out.write(CsvText.line(java.util.Arrays.asList(row)));
                    }
                }
            }
        } catch (IOException e) {
            throw new PgException(PgError.error("58030", "could not write the registry to \"" + directory + "\": " + e.getMessage(),
                    "The directory is on the sidecar's host, under its server files directory; the sidecar must be able to write it."));
        }
    }

    public void load(SessionContext session, String directory) {
        Path dir = files.directoryToRead(session, directory, "pgml.load_all");
        BackendClient backend = session.backend();
        for (String table : TABLES) {
            Path file = dir.resolve(table + ".csv");
            if (!Files.exists(file)) {
                throw new PgException(PgError.error("58P01", "could not open file \"" + table + ".csv\" in \"" + directory + "\"",
                        "pgml.load_all reads the files pgml.dump_all wrote, from the sidecar's host."));
            }
            file = files.fileToRead(session, file.toString(), "pgml.load_all");
            Map<String, String> types = columnTypes(backend, table);
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                CsvText.Reader csv = new CsvText.Reader(in);
                List<String> header = csv.next();
                if (header == null) {
                    continue;
                }
                ArrayNode chunk = JSON.createArrayNode();
                for (List<String> row = csv.next(); row != null; row = csv.next()) {
                    chunk.add(record(header, row, types, table));
                    if (chunk.size() == CHUNK_ROWS) {
                        insert(backend, table, chunk);
                        chunk = JSON.createArrayNode();
                    }
                }
                if (!chunk.isEmpty()) {
                    insert(backend, table, chunk);
                }
            } catch (IOException e) {
                throw new PgException(PgError.error("58030", "could not read " + file + ": " + e.getMessage(), null));
            }
            BackendSteps.query(backend, "SELECT setval(pg_get_serial_sequence('pgml." + table + "', 'id'), "
                    + "greatest((SELECT max(id) FROM pgml." + table + "), 1))");
        }
    }

    private static ObjectNode record(List<String> header, List<String> row, Map<String, String> types, String table) throws IOException {
        if (row.size() != header.size()) {
            throw new PgException(PgError.error("22P04", "a row of " + table + ".csv has " + row.size() + " fields, the header "
                    + header.size(), "Load files written by pgml.dump_all."));
        }
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < header.size(); i++) {
            String v = row.get(i);
            String type = types.get(header.get(i));
            if (v == null) {
                o.putNull(header.get(i));
            } else if ("jsonb".equals(type) || "json".equals(type)) {
                o.set(header.get(i), JSON.readTree(v)); // a JSON value, not a string holding JSON
            } else {
                o.put(header.get(i), v);
            }
        }
        return o;
    }

    private static void insert(BackendClient backend, String table, ArrayNode rows) {
        BackendSteps.query(backend, "INSERT INTO pgml." + table + " SELECT * FROM json_populate_recordset(NULL::pgml." + table
                + ", $1::json)", rows.toString());
    }

    private static List<String> columns(BackendClient backend, String table) {
        return new ArrayList<>(columnTypes(backend, table).keySet());
    }

    private static Map<String, String> columnTypes(BackendClient backend, String table) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String[] r : BackendSteps.query(backend, "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum", "pgml." + table)) {
            out.put(r[0], r[1]);
        }
        if (out.isEmpty()) {
            throw new PgException(PgError.error("42P01", "relation \"pgml." + table + "\" does not exist",
                    "The pgml schema is created by the sidecar's migration when it starts."));
        }
        return out;
    }
}

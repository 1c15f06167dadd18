package io.pgmlsidecar.planner.tabular;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV as PostgreSQL's COPY … CSV writes it: NULL is an empty unquoted field, an empty string is
 * {@code ""}, fields with a comma, quote, CR or LF are quoted with doubled quotes.
 */
final class CsvText {
    private CsvText() {}

    static String line(List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String f = fields.get(i);
            if (f == null) {
                continue;
            }
            boolean quote = f.isEmpty() || f.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
            sb.append(quote ? '"' + f.replace("\"", "\"\"") + '"' : f);
        }
        return sb.append('\n').toString();
    }

    /** Reads records (quoted fields may span lines). */
    static final class Reader {
        private final java.io.Reader source;

        Reader(java.io.Reader source) {
            this.source = source;
        }

        /** The next record's fields (null = NULL), or null at the end. */
        List<String> next() throws IOException {
            int c = read();
            if (c == -1) {
                return null;
            }
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            while (true) {
                if (quoted) {
                    if (c == -1) {
                        throw new IOException("unterminated quoted field");
                    }
                    if (c == '"') {
                        int n = read();
                        if (n == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            c = n;
                            continue;
                        }
                    } else {
                        field.append((char) c);
                    }
                } else if (c == '"') {
                    quoted = true;
                    wasQuoted = true;
                } else if (c == ',' || c == '\n' || c == -1) {
                    fields.add(field.isEmpty() && !wasQuoted ? null : field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                    if (c != ',') {
                        return fields;
                    }
                } else if (c != '\r') {
                    field.append((char) c);
                }
                c = read();
            }
        }

        private int read() throws IOException {
            return source.read();
        }
    }
}

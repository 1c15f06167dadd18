package io.pgmlsidecar.ml.tabular.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.tabular.TabularException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The data of {@code pgml.load_dataset}: PostgresML's six toy sets with its table names and column
 * shapes (pgml.iris, pgml.digits(image SMALLINT[][], target SMALLINT), pgml.breast_cancer(… malignant
 * BOOLEAN), pgml.diabetes, pgml.wine, pgml.linnerud), bundled as class-path resources, and local CSV /
 * JSON-lines files. Wine fixes PostgresML's swap of the hue and color_intensity values. Diabetes holds
 * the raw (unscaled) measurements.
 */
public final class PgmlDatasets {
    private static final String RES = "/pgml-datasets/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SIMPLE_IDENT = Pattern.compile("[a-z_][a-z0-9_]*");

    public static final List<String> TOY_NAMES = List.of("breast_cancer", "diabetes", "digits", "iris", "linnerud", "wine");

    private PgmlDatasets() {
    }

    public static boolean isToy(String name) {
        return name != null && TOY_NAMES.contains(name.trim().toLowerCase(Locale.ROOT));
    }

    /** Loads a toy data set; {@code limit} (nullable) caps the rows as PostgresML's {@code limit} does. */
    public static LoadedTable load(String name, Long limit) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        long max = limit == null ? Long.MAX_VALUE : limit;
        if (max < 0) {
            throw new TabularException("limit must be ≥ 0");
        }
        try {
            return switch (n) {
                case "iris" -> iris(max);
                case "digits" -> digits(max);
                case "breast_cancer" -> breastCancer(max);
                case "diabetes" -> diabetes(max);
                case "wine" -> wine(max);
                case "linnerud" -> linnerud(max);
                default -> throw new TabularException("\"" + name + "\" is not a built-in data set",
                        "built-in: " + String.join(", ", TOY_NAMES) + "; or pass a local file with kwargs => '{\"path\": \"/data/x.csv\"}'");
            };
        } catch (IOException e) {
            throw new TabularException("could not read the bundled data set " + name + ": " + e.getMessage(), e);
        }
    }

    private static List<String> lines(String resource) throws IOException {
        InputStream in = PgmlDatasets.class.getResourceAsStream(RES + resource);
        if (in == null) {
            throw new IOException("resource " + RES + resource + " is missing from the class path");
        }
        if (resource.endsWith(".gz")) {
            in = new GZIPInputStream(in);
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> out = new ArrayList<>();
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                if (!l.isBlank()) {
                    out.add(l.trim());
                }
            }
            return out;
        }
    }

    private static List<ColumnDef> cols(String type, String... names) {
        List<ColumnDef> out = new ArrayList<>();
        for (String n : names) {
            out.add(new ColumnDef(n, type));
        }
        return out;
    }

    private static LoadedTable iris(long max) throws IOException {
        List<ColumnDef> c = cols("FLOAT4", "sepal_length", "sepal_width", "petal_length", "petal_width");
        c.add(new ColumnDef("target", "INT4"));
        List<Object[]> rows = new ArrayList<>();
        List<String> ls = lines("iris.csv");
        for (int i = 1; i < ls.size() && rows.size() < max; i++) {
            String[] f = ls.get(i).split(",");
            rows.add(new Object[]{Float.parseFloat(f[0]), Float.parseFloat(f[1]), Float.parseFloat(f[2]), Float.parseFloat(f[3]), Integer.parseInt(f[4].trim())});
        }
        return new LoadedTable("pgml.iris", c, rows);
    }

    private static LoadedTable digits(long max) throws IOException {
        List<ColumnDef> c = List.of(new ColumnDef("image", "SMALLINT[][]"), new ColumnDef("target", "SMALLINT"));
        List<Object[]> rows = new ArrayList<>();
        for (String l : lines("digits.csv.gz")) {
            if (rows.size() >= max) {
                break;
            }
            String[] f = l.split(",");
            short[][] img = new short[8][8];
            for (int k = 0; k < 64; k++) {
                img[k / 8][k % 8] = (short) Math.round(Double.parseDouble(f[k]));
            }
            rows.add(new Object[]{img, (short) Math.round(Double.parseDouble(f[64]))});
        }
        return new LoadedTable("pgml.digits", c, rows);
    }

    private static final String[] BREAST_CANCER = {"mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness",
            "mean compactness", "mean concavity", "mean concave points", "mean symmetry", "mean fractal dimension", "radius error",
            "texture error", "perimeter error", "area error", "smoothness error", "compactness error", "concavity error",
            "concave points error", "symmetry error", "fractal dimension error", "worst radius", "worst texture", "worst perimeter",
            "worst area", "worst smoothness", "worst compactness", "worst concavity", "worst concave points", "worst symmetry",
            "worst fractal dimension"};

    private static LoadedTable breastCancer(long max) throws IOException {
        List<ColumnDef> c = cols("FLOAT4", BREAST_CANCER);
        c.add(new ColumnDef("malignant", "BOOLEAN"));
        List<Object[]> rows = new ArrayList<>();
        List<String> ls = lines("breast_cancer.csv");
        for (int i = 1; i < ls.size() && rows.size() < max; i++) {
            String[] f = ls.get(i).split(",");
            Object[] r = new Object[31];
            for (int k = 0; k < 30; k++) {
                r[k] = Float.parseFloat(f[k]);
            }
            r[30] = Integer.parseInt(f[30].trim()) == 0; // scikit-learn: target 0 = malignant
            rows.add(r);
        }
        return new LoadedTable("pgml.breast_cancer", c, rows);
    }

    private static LoadedTable diabetes(long max) throws IOException {
        List<ColumnDef> c = cols("FLOAT4", "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "target");
        List<String> data = lines("diabetes_data_raw.csv.gz");
        List<String> target = lines("diabetes_target.csv.gz");
        // scikit-learn's load_diabetes() (scaled=True, PostgresML's table): each feature centred and divided by its
        // standard deviation times sqrt(n_samples), over all 442 rows, whatever the limit
        double[][] x = new double[data.size()][10];
        for (int i = 0; i < data.size(); i++) {
            String[] f = data.get(i).trim().split("\\s+");
            for (int k = 0; k < 10; k++) {
                x[i][k] = Double.parseDouble(f[k]);
            }
        }
        int n = x.length;
        for (int k = 0; k < 10; k++) {
            double mean = 0;
            for (double[] row : x) {
                mean += row[k];
            }
            mean /= n;
            double variance = 0;
            for (double[] row : x) {
                variance += (row[k] - mean) * (row[k] - mean);
            }
            double scale = Math.sqrt(variance / n) * Math.sqrt(n);
            for (double[] row : x) {
                row[k] = (row[k] - mean) / scale;
            }
        }
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < n && rows.size() < max; i++) {
            Object[] r = new Object[11];
            for (int k = 0; k < 10; k++) {
                r[k] = (float) x[i][k];
            }
            r[10] = (float) Double.parseDouble(target.get(i));
            rows.add(r);
        }
        return new LoadedTable("pgml.diabetes", c, rows);
    }

    private static LoadedTable wine(long max) throws IOException {
        // file order is scikit-learn's: … proanthocyanins, color_intensity, hue, od280/od315…, proline
        String[] fileOrder = {"alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
                "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline"};
        // PostgresML's column order
        String[] tableOrder = {"alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
                "nonflavanoid_phenols", "proanthocyanins", "hue", "color_intensity", "od280/od315_of_diluted_wines", "proline"};
        List<ColumnDef> c = cols("FLOAT4", tableOrder);
        c.add(new ColumnDef("target", "INT4"));
        List<String> fo = List.of(fileOrder);
        List<Object[]> rows = new ArrayList<>();
        List<String> ls = lines("wine_data.csv");
        for (int i = 1; i < ls.size() && rows.size() < max; i++) {
            String[] f = ls.get(i).split(",");
            Object[] r = new Object[14];
            for (int k = 0; k < 13; k++) {
                r[k] = Float.parseFloat(f[fo.indexOf(tableOrder[k])]);
            }
            r[13] = Integer.parseInt(f[13].trim());
            rows.add(r);
        }
        return new LoadedTable("pgml.wine", c, rows);
    }

    private static LoadedTable linnerud(long max) throws IOException {
        List<ColumnDef> c = cols("FLOAT4", "chins", "situps", "jumps", "weight", "waist", "pulse");
        List<String> ex = lines("linnerud_exercise.csv");
        List<String> ph = lines("linnerud_physiological.csv");
        List<Object[]> rows = new ArrayList<>();
        for (int i = 1; i < ex.size() && rows.size() < max; i++) {
            String[] a = ex.get(i).split("\\s+");
            String[] b = ph.get(i).split("\\s+");
            rows.add(new Object[]{Float.parseFloat(a[0]), Float.parseFloat(a[1]), Float.parseFloat(a[2]),
                    Float.parseFloat(b[0]), Float.parseFloat(b[1]), Float.parseFloat(b[2])});
        }
        return new LoadedTable("pgml.linnerud", c, rows);
    }

    /**
     * A {@link io.pgmlsidecar.ml.tabular.data.Dataset} of a loaded table: every column but {@code label}
     * is a feature (typed as PostgreSQL would report it); {@code label} may be null (unsupervised).
     */
    public static io.pgmlsidecar.ml.tabular.data.Dataset toDataset(LoadedTable t, String label) {
        return toDataset(t, label == null ? List.of() : List.of(label));
    }

    /** As {@link #toDataset(LoadedTable, String)} with several label columns (joint regression). */
    public static io.pgmlsidecar.ml.tabular.data.Dataset toDataset(LoadedTable t, List<String> labels) {
        if (labels.size() > 1) {
            List<io.pgmlsidecar.ml.tabular.data.FeatureColumn> features = new ArrayList<>();
            List<Integer> labelIdx = new ArrayList<>();
            for (String l : labels) {
                int idx = -1;
                for (int j = 0; j < t.columns().size(); j++) {
                    if (t.columns().get(j).name().equals(l)) {
                        idx = j;
                    }
                }
                if (idx < 0) {
                    throw new TabularException("column \"" + l + "\" does not exist in " + t.tableName());
                }
                labelIdx.add(idx);
            }
            List<Integer> featIdx = new ArrayList<>();
            for (int j = 0; j < t.columns().size(); j++) {
                if (!labelIdx.contains(j)) {
                    ColumnDef c = t.columns().get(j);
                    features.add(io.pgmlsidecar.ml.tabular.data.FeatureColumn.ofPgType(c.name(), c.pgType().replace("[][]", "[]")));
                    featIdx.add(j);
                }
            }
            io.pgmlsidecar.ml.tabular.data.DatasetBuilder b = io.pgmlsidecar.ml.tabular.data.Dataset.jointBuilder(features, labels);
            for (Object[] r : t.rows()) {
                Object[] f = new Object[featIdx.size()];
                for (int k = 0; k < f.length; k++) {
                    f[k] = r[featIdx.get(k)];
                }
                Object[] y = new Object[labelIdx.size()];
                for (int k = 0; k < y.length; k++) {
                    y[k] = r[labelIdx.get(k)];
                }
                b.addRow(f, y);
            }
            return b.build();
        }
        String label = labels.isEmpty() ? null : labels.get(0);
        List<io.pgmlsidecar.ml.tabular.data.FeatureColumn> features = new ArrayList<>();
        int labelIdx = -1;
        for (int j = 0; j < t.columns().size(); j++) {
            ColumnDef c = t.columns().get(j);
            if (c.name().equals(label)) {
                labelIdx = j;
            } else {
                features.add(io.pgmlsidecar.ml.tabular.data.FeatureColumn.ofPgType(c.name(), c.pgType().replace("[][]", "[]")));
            }
        }
        if (label != null && labelIdx < 0) {
            throw new TabularException("column \"" + label + "\" does not exist in " + t.tableName());
        }
        io.pgmlsidecar.ml.tabular.data.DatasetBuilder b = io.pgmlsidecar.ml.tabular.data.Dataset.builder(features, label);
        for (Object[] r : t.rows()) {
            Object[] f = new Object[features.size()];
            int k = 0;
            for (int j = 0; j < r.length; j++) {
                if (j != labelIdx) {
                    f[k++] = r[j];
                }
            }
            b.addRow(f, labelIdx < 0 ? null : r[labelIdx]);
        }
        return b.build();
    }

    // ---------------- local files ----------------

    /**
     * Loads a local CSV (header row required; {@code .csv}, {@code .tsv}, optionally gzipped) or JSON-lines
     * ({@code .jsonl}, {@code .ndjson}, {@code .json}) file into {@code pgml."<tableName>"}. Column types are
     * inferred: whole numbers → INT8, other numbers → FLOAT8, true/false → BOOLEAN, objects/arrays (JSON) →
     * JSONB, anything else → TEXT; empty CSV fields and JSON nulls are NULL.
     *
     * @param format "csv", "tsv", "jsonl", or null to infer from the file name
     */
    public static LoadedTable loadFile(Path path, String tableName, String format, Long limit) {
        if (!Files.isRegularFile(path)) {
            throw new TabularException("file " + path + " does not exist or is not a regular file (it is read by the sidecar, not by the database server)");
        }
        String fname = path.getFileName().toString().toLowerCase(Locale.ROOT);
        String base = fname.endsWith(".gz") ? fname.substring(0, fname.length() - 3) : fname;
        String fmt = format != null ? format.toLowerCase(Locale.ROOT)
                : base.endsWith(".jsonl") || base.endsWith(".ndjson") || base.endsWith(".json") ? "jsonl"
                : base.endsWith(".tsv") ? "tsv" : "csv";
        String table = tableName != null ? tableName : base.replaceFirst("\\.[^.]*$", "");
        long max = limit == null ? Long.MAX_VALUE : limit;
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = fname.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return switch (fmt) {
                case "csv" -> csv(r, ',', table, max);
                case "tsv" -> csv(r, '\t', table, max);
                case "jsonl", "json" -> jsonl(r, table, max);
                default -> throw new TabularException("unknown file format " + format, "use csv, tsv or jsonl");
            };
        } catch (IOException e) {
            throw new TabularException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    public static String qualified(String table) {
        return "pgml." + quoteIdent(table);
    }

    public static String quoteIdent(String name) {
        if (SIMPLE_IDENT.matcher(name).matches() && !RESERVED.contains(name)) {
            return name;
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static final java.util.Set<String> RESERVED = java.util.Set.of("all", "and", "any", "array", "as", "asc", "case", "cast",
            "check", "collate", "column", "constraint", "create", "default", "desc", "distinct", "do", "else", "end", "except", "false",
            "for", "foreign", "from", "grant", "group", "having", "in", "into", "is", "join", "limit", "not", "null", "offset", "on", "or",
            "order", "primary", "references", "select", "table", "then", "to", "true", "union", "unique", "user", "using", "when", "where", "with");

    static List<String> parseCsvLine(String line, char sep, BufferedReader more) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        String l = line;
        int i = 0;
        while (true) {
            if (i >= l.length()) {
                if (quoted) {
                    String next = more.readLine();
                    if (next == null) {
                        throw new TabularException("unterminated quoted field in CSV");
                    }
                    cur.append('\n');
                    l = next;
                    i = 0;
                    continue;
                }
                out.add(wasQuoted || cur.length() > 0 ? cur.toString() : null);
                return out;
            }
            char ch = l.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < l.length() && l.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                wasQuoted = true;
            } else if (ch == sep) {
                out.add(wasQuoted || cur.length() > 0 ? cur.toString() : null);
                cur.setLength(0);
                wasQuoted = false;
            } else {
                cur.append(ch);
            }
            i++;
        }
    }

    private static LoadedTable csv(BufferedReader r, char sep, String table, long max) throws IOException {
        String header = r.readLine();
        if (header == null) {
            throw new TabularException("the CSV file is empty; a header row with the column names is required");
        }
        if (header.startsWith("\uFEFF")) {
            header = header.substring(1);
        }
        List<String> names = parseCsvLine(header, sep, r);
        List<String[]> raw = new ArrayList<>();
        for (String l = r.readLine(); l != null && raw.size() < max; l = r.readLine()) {
            if (l.isEmpty()) {
                continue;
            }
            List<String> f = parseCsvLine(l, sep, r);
            if (f.size() != names.size()) {
                throw new TabularException("CSV row " + (raw.size() + 2) + " has " + f.size() + " fields; the header has " + names.size());
            }
            raw.add(f.toArray(new String[0]));
        }
        List<ColumnDef> cols = new ArrayList<>();
        String[] types = new String[names.size()];
        for (int j = 0; j < names.size(); j++) {
            types[j] = inferText(raw, j);
            String n = names.get(j) == null || names.get(j).isBlank() ? "column" + (j + 1) : names.get(j).trim();
            cols.add(new ColumnDef(n, types[j]));
        }
        List<Object[]> rows = new ArrayList<>(raw.size());
        for (String[] f : raw) {
            Object[] o = new Object[f.length];
            for (int j = 0; j < f.length; j++) {
                o[j] = convertText(f[j], types[j]);
            }
            rows.add(o);
        }
        return new LoadedTable(qualified(table), cols, rows);
    }

    private static String inferText(List<String[]> rows, int j) {
        boolean allInt = true;
        boolean allNum = true;
        boolean allBool = true;
        boolean any = false;
        for (String[] r : rows) {
            String v = r[j];
            if (v == null) {
                continue;
            }
            any = true;
            String t = v.trim();
            if (!(t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false"))) {
                allBool = false;
            }
            if (allInt) {
                try {
                    Long.parseLong(t);
                } catch (NumberFormatException e) {
                    allInt = false;
                }
            }
            if (allNum) {
                try {
                    Double.parseDouble(t);
                    if (t.equalsIgnoreCase("nan") || t.toLowerCase(Locale.ROOT).contains("infinity")) {
                        allNum = false;
                    }
                } catch (NumberFormatException e) {
                    allNum = false;
                }
            }
        }
        if (!any) {
            return "TEXT";
        }
        return allBool ? "BOOLEAN" : allInt ? "INT8" : allNum ? "FLOAT8" : "TEXT";
    }

    private static Object convertText(String v, String type) {
        if (v == null) {
            return null;
        }
        return switch (type) {
            case "BOOLEAN" -> Boolean.parseBoolean(v.trim());
            case "INT8" -> Long.parseLong(v.trim());
            case "FLOAT8" -> Double.parseDouble(v.trim());
            default -> v;
        };
    }

    private static LoadedTable jsonl(BufferedReader r, String table, long max) throws IOException {
        Map<String, String> types = new LinkedHashMap<>();
        List<JsonNode> objs = new ArrayList<>();
        int lineNo = 0;
        for (String l = r.readLine(); l != null && objs.size() < max; l = r.readLine()) {
            lineNo++;
            if (l.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(l);
            } catch (IOException e) {
                throw new TabularException("line " + lineNo + " is not valid JSON: " + e.getMessage());
            }
            if (!n.isObject()) {
                throw new TabularException("line " + lineNo + " is not a JSON object; JSON lines need one object per line");
            }
            objs.add(n);
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                types.merge(e.getKey(), typeOf(e.getValue()), PgmlDatasets::widen);
            }
        }
        List<ColumnDef> cols = new ArrayList<>();
        types.forEach((k, t) -> cols.add(new ColumnDef(k, t == null ? "TEXT" : t)));
        List<Object[]> rows = new ArrayList<>();
        for (JsonNode n : objs) {
            Object[] o = new Object[cols.size()];
            for (int j = 0; j < cols.size(); j++) {
                JsonNode v = n.get(cols.get(j).name());
                o[j] = v == null || v.isNull() ? null : switch (cols.get(j).pgType()) {
                    case "BOOLEAN" -> v.asBoolean();
                    case "INT8" -> v.asLong();
                    case "FLOAT8" -> v.asDouble();
                    case "JSONB" -> v.toString();
                    default -> v.isTextual() ? v.asText() : v.toString();
                };
            }
            rows.add(o);
        }
        return new LoadedTable(qualified(table), cols, rows);
    }

    private static String typeOf(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return "BOOLEAN";
        }
        if (v.isIntegralNumber()) {
            return "INT8";
        }
        if (v.isNumber()) {
            return "FLOAT8";
        }
        if (v.isContainerNode()) {
            return "JSONB";
        }
        return "TEXT";
    }

    private static String widen(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null || a.equals(b)) {
            return a;
        }
        if ((a.equals("INT8") && b.equals("FLOAT8")) || (a.equals("FLOAT8") && b.equals("INT8"))) {
            return "FLOAT8";
        }
        return "TEXT";
    }
}

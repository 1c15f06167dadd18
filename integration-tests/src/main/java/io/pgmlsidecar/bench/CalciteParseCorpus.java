package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.scan.CallFinder;
import io.pgmlsidecar.planner.scan.SqlLexer;
import io.pgmlsidecar.planner.scan.Token;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.util.SqlShuttle;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Decision 18's measurement: how much real PostgreSQL SQL Apache Calcite's Babel parser reads.
 * Each corpus source (a folder of {@code .sql} files) is split into statements the way psql
 * would send them, and every statement is parsed with Babel configured as close to PostgreSQL as
 * Calcite allows. With {@code --pg} each statement is also sent to an embedded PostgreSQL 15 (in a
 * transaction that is rolled back) to learn whether PostgreSQL's own grammar accepts it: the
 * regression files contain deliberate syntax errors, which must not count against Calcite, and
 * statements Calcite reads are unparsed with its PostgreSQL dialect and sent again.
 *
 * <p>Arguments: {@code [--pg] [--dump=file.tsv] source-folder...}; a source is named after its folder
 * ({@code examples} is reported as {@code pgml-examples}); the dump lists every statement's verdicts.
 */
public final class CalciteParseCorpus {

    static final SqlParser.Config CONFIG = SqlParser.config()
            .withParserFactory(SqlBabelParserImpl.FACTORY)
            .withConformance(SqlConformanceEnum.BABEL)
            .withQuoting(Quoting.DOUBLE_QUOTE)
            .withUnquotedCasing(Casing.TO_LOWER)
            .withQuotedCasing(Casing.UNCHANGED)
            .withCaseSensitive(true);

    /** One statement of the corpus, with what each parser made of it. */
    static final class Stmt {
        final String source;
        final String where;
        final String sql;
        final List<Token> tokens;
        final boolean psqlVariables;
        boolean calciteOk;
        String calciteError = "";
        String cause = "";
        SqlNode tree;
        /** null: not checked; else whether PostgreSQL's grammar accepted it. */
        Boolean pgOk;
        /** null: not checked; else whether PostgreSQL's grammar accepted Calcite's unparsed text. */
        Boolean roundTripOk;
        int lexerCalls;
        int treeCalls;
        long parseNanos;
        long lexNanos;

        Stmt(String source, String where, String sql, boolean psqlVariables) {
            this.source = source;
            this.where = where;
            this.sql = sql;
            this.tokens = SqlLexer.tokenize(sql);
            this.psqlVariables = psqlVariables;
        }

        boolean counted() {
            return !psqlVariables && !Boolean.FALSE.equals(pgOk);
        }

        /** A query or DML statement: where API calls live. */
        boolean queryOrDml() {
            return QUERY_KINDS.contains(statementKind(tokens));
        }
    }

    static final Set<String> QUERY_KINDS = Set.of("SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE",
            "MERGE", "( SELECT …");

    public static void main(String[] args) throws Exception {
        boolean pg = false;
        Path dump = null;
        List<Path> sources = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--pg")) {
                pg = true;
            } else if (a.startsWith("--dump=")) {
                dump = Path.of(a.substring("--dump=".length()));
            } else {
                sources.add(Path.of(a));
            }
        }
        if (sources.isEmpty()) {
            Path root = Path.of("integration-tests/src/main/resources/calcite-corpus");
            sources.add(root.resolve("postgres-regress"));
            sources.add(Path.of("examples"));
            sources.add(root.resolve("sidecar-tests"));
        }
        List<Stmt> all = new ArrayList<>();
        Map<String, List<Stmt>> bySource = new LinkedHashMap<>();
        for (Path dir : sources) {
            String name = dir.getFileName().toString().equals("examples") ? "pgml-examples" : dir.getFileName().toString();
            List<Stmt> stmts = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                    stmts.addAll(split(name, f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8)));
                }
            }
            bySource.put(name, stmts);
            all.addAll(stmts);
        }
        long t0 = System.nanoTime();
        for (Stmt s : all) {
            parse(s);
        }
        double parseSeconds = Measure.seconds(t0);
        if (pg) {
            checkWithPostgres(all);
        }
        report(bySource, all, pg, parseSeconds);
        if (dump != null) {
            List<String> lines = new ArrayList<>();
            lines.add("source\twhere\tkind\tpostgres\tcalcite\tcause\tstatement");
            for (Stmt s : all) {
                lines.add(String.join("\t", s.source, s.where, statementKind(s.tokens),
                        s.psqlVariables ? "psql-variables" : s.pgOk == null ? "-" : s.pgOk ? "ok" : "syntax error",
                        s.calciteOk ? "ok" : "failed", s.cause, oneLine(s.sql, 400)));
            }
            Files.write(dump, lines, StandardCharsets.UTF_8);
        }
        probes();
    }

    // ---------------------------------------------------------------- splitting

    private static final Pattern COPY_FROM_STDIN = Pattern.compile("(?is)^\\s*COPY\\b.*\\bFROM\\s+STD(IN|OUT)\\b.*");

    /**
     * Splits a psql script at top-level semicolons. Quotes ('…', E'…' with backslash escapes),
     * quoted identifiers, dollar quoting, line and nested block comments are respected; psql
     * meta-commands (a backslash outside any literal, to the end of its line) are dropped, and
     * {@code \g}-family commands end the statement as psql does; COPY … FROM STDIN data is skipped.
     */
    static List<Stmt> split(String source, String file, String text) {
        List<Stmt> out = new ArrayList<>();
        int n = text.length();
        int i = 0;
        StringBuilder cur = new StringBuilder();
        int curStart = -1; // offset of the statement's first character that is not blank or a comment
        int brackets = 0;
        boolean variables = false;
        while (i < n) {
            char c = text.charAt(i);
            int from = i;
            boolean significant = true;
            if (Character.isWhitespace(c)) {
                significant = false;
                i++;
            } else if (c == '-' && at(text, i + 1) == '-') {
                significant = false;
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && at(text, i + 1) == '*') {
                significant = false;
                int depth = 0;
                while (i < n) {
                    if (text.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (text.startsWith("*/", i)) {
                        i += 2;
                        if (--depth == 0) {
                            break;
                        }
                    } else {
                        i++;
                    }
                }
            } else if (c == '\'') {
                boolean escapes = i > 0 && (text.charAt(i - 1) == 'E' || text.charAt(i - 1) == 'e')
                        && (i < 2 || !identPart(text.charAt(i - 2)));
                i = endOfQuoted(text, i, '\'', escapes);
            } else if (c == '"') {
                i = endOfQuoted(text, i, '"', false);
            } else if (c == '$' && (i == 0 || !identPart(text.charAt(i - 1))) && dollarTag(text, i) != null) {
                String tag = dollarTag(text, i);
                int close = text.indexOf(tag, i + tag.length());
                i = close < 0 ? n : close + tag.length();
            } else if (c == '\\') {
                // psql meta-command: to the end of the line; \g, \gx, \gset, \gexec, \gdesc send the buffer
                int eol = text.indexOf('\n', i);
                eol = eol < 0 ? n : eol;
                String meta = text.substring(i, eol);
                if (meta.matches("\\\\g\\w*\\b.*") || meta.equals("\\g")) {
                    curStart = emit(out, source, file, text, cur, curStart, variables);
                    variables = false;
                }
                i = eol;
                continue;
            } else if (c == ';') {
                String done = cur.toString();
                curStart = emit(out, source, file, text, cur, curStart, variables);
                variables = false;
                brackets = 0;
                i++;
                if (COPY_FROM_STDIN.matcher(done).matches()) {
                    // data lines up to \.
                    int eol = text.indexOf('\n', i);
                    i = eol < 0 ? n : eol + 1;
                    while (i < n) {
                        int next = text.indexOf('\n', i);
                        next = next < 0 ? n : next;
                        String l = text.substring(i, next);
                        i = Math.min(n, next + 1);
                        if (l.equals("\\.")) {
                            break;
                        }
                    }
                }
                continue;
            } else {
                if (c == '[') {
                    brackets++;
                } else if (c == ']') {
                    brackets = Math.max(0, brackets - 1);
                } else if (c == ':' && brackets == 0 && at(text, i + 1) != ':' && (i == 0 || text.charAt(i - 1) != ':')) {
                    char next = at(text, i + 1);
                    if (next == '\'' || next == '"' || Character.isLetter(next) || next == '_' || next == '{') {
                        variables = true; // psql interpolation (:name, :'name', :"name"), not SQL
                    }
                }
                i++;
            }
            if (curStart < 0 && significant) {
                curStart = from;
            }
            cur.append(text, from, Math.min(i, n));
        }
        emit(out, source, file, text, cur, curStart, variables);
        return out;
    }

    private static int emit(List<Stmt> out, String source, String file, String text, StringBuilder cur, int start,
                            boolean variables) {
        String sql = cur.toString().strip();
        cur.setLength(0);
        List<Token> tokens = SqlLexer.tokenize(sql);
        if (start >= 0 && !tokens.isEmpty()) {
            sql = sql.substring(tokens.get(0).start()); // without the comments above it
            int line = 1 + count(text.substring(0, start), '\n');
            out.add(new Stmt(source, file + ":" + line, sql, variables));
        }
        return -1;
    }

    private static int endOfQuoted(String text, int open, char quote, boolean backslashEscapes) {
        int i = open + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (at(text, i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return text.length();
    }

    /** The dollar-quote tag ($$ or $tag$) starting at {@code at}, or null. */
    private static String dollarTag(String text, int at) {
        int i = at + 1;
        if (i < text.length() && Character.isDigit(text.charAt(i))) {
            return null; // $1 is a parameter
        }
        while (i < text.length() && identPart(text.charAt(i)) && text.charAt(i) != '$') {
            i++;
        }
        return i < text.length() && text.charAt(i) == '$' ? text.substring(at, i + 1) : null;
    }

    private static boolean identPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }

    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static int count(String s, char c) {
        int k = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                k++;
            }
        }
        return k;
    }

    // ---------------------------------------------------------------- parsing

    /** As the sidecar judges (PgmlInterceptor): names in DROP/ALTER/GRANT… are not calls. */
    private static final Set<String> OBJECT_WORDS = Set.of("drop", "alter", "comment", "grant", "revoke", "security");

    static void parse(Stmt s) {
        long l0 = System.nanoTime();
        int found = CallFinder.find(s.sql, SqlLexer.tokenize(s.sql), Set.of("pgml")).size(); // the sidecar's own path
        s.lexNanos = System.nanoTime() - l0 + (found < 0 ? 1 : 0); // uses the result, so the JIT keeps the work
        if (!OBJECT_WORDS.contains(s.tokens.get(0).text().toLowerCase(Locale.ROOT))) {
            s.lexerCalls = (int) CallFinder.find(s.sql, s.tokens, Set.of("pgml")).stream()
                    .filter(c -> FunctionRegistry.find(c.qualifiedName()) != null).count();
        }
        long t0 = System.nanoTime();
        try {
            s.tree = SqlParser.create(s.sql, CONFIG).parseStmt();
            s.calciteOk = true;
            s.treeCalls = pgmlCallsIn(s.tree);
        } catch (SqlParseException e) {
            s.calciteError = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            s.cause = cause(s, e);
        } catch (RuntimeException | StackOverflowError e) {
            s.calciteError = e.getClass().getSimpleName() + ": " + e.getMessage();
            s.cause = "parser crashed (" + e.getClass().getSimpleName() + ")";
        }
        s.parseNanos = System.nanoTime() - t0;
    }

    /** Calls {@code pgml.<fn>(…)} in a Calcite tree. */
    static int pgmlCallsIn(SqlNode tree) {
        int[] n = {0};
        tree.accept(new SqlShuttle() {
            @Override
            public SqlNode visit(SqlCall call) {
                if (call.getOperator() instanceof SqlFunction f && f.getSqlIdentifier() != null
                        && f.getSqlIdentifier().names.size() == 2
                        && f.getSqlIdentifier().names.get(0).equalsIgnoreCase("pgml")
                        && FunctionRegistry.find("pgml." + f.getSqlIdentifier().names.get(1).toLowerCase(Locale.ROOT)) != null) {
                    n[0]++;
                }
                for (SqlNode operand : call.getOperandList()) {
                    if (operand != null) {
                        operand.accept(this);
                    }
                }
                return call;
            }

            @Override
            public SqlNode visit(SqlNodeList list) {
                for (SqlNode node : list) {
                    if (node != null) {
                        node.accept(this);
                    }
                }
                return list;
            }
        });
        return n[0];
    }

    private static final Pattern ENCOUNTERED = Pattern.compile("Encountered \"(.*?)\" at line (\\d+), column (\\d+)");
    private static final Pattern AT_LINE = Pattern.compile("at line (\\d+), column (\\d+)");
    private static final Set<String> STATEMENT_WORDS = Set.of("CREATE", "ALTER", "DROP", "COMMENT", "GRANT", "REVOKE",
            "DO", "VACUUM", "ANALYZE", "LOCK", "TRUNCATE", "COPY", "EXPLAIN", "PREPARE", "EXECUTE", "DEALLOCATE", "DECLARE", "FETCH",
            "MOVE", "CLOSE", "LISTEN", "NOTIFY", "CHECKPOINT", "REINDEX", "CLUSTER", "REFRESH", "SECURITY", "START",
            "SAVEPOINT", "RELEASE", "ABORT", "END", "DISCARD", "SHOW", "RESET", "SET", "BEGIN", "ROLLBACK", "COMMIT", "TABLE",
            "LOAD", "REASSIGN", "IMPORT", "CALL");

    /** A failure cause: the PostgreSQL construct at the point where Calcite stopped. */
    static String cause(Stmt s, SqlParseException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        int offset = -1;
        if (!msg.startsWith("Lexical error") && e.getPos() != null && e.getPos().getLineNum() > 0) {
            offset = offsetOf(s.sql, e.getPos().getLineNum(), e.getPos().getColumnNum());
        } else {
            Matcher m = AT_LINE.matcher(msg);
            if (m.find()) {
                offset = offsetOf(s.sql, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            }
        }
        List<Token> t = s.tokens;
        int k = 0;
        while (k < t.size() && t.get(k).end() <= offset) {
            k++;
        }
        if (offset < 0 || k >= t.size()) {
            Matcher m = ENCOUNTERED.matcher(msg);
            if (m.find() && m.group(1).equals("<EOF>")) {
                return "statement end where Calcite wants more";
            }
            return msg.startsWith("Incorrect syntax near the keyword")
                    ? "statement kind " + statementKind(t) : "other: " + msg.lines().findFirst().orElse("");
        }
        Token here = t.get(k);
        Token prev = k > 0 ? t.get(k - 1) : null;
        Token prev2 = k > 1 ? t.get(k - 2) : null;
        Token next = k + 1 < t.size() ? t.get(k + 1) : null;
        String word = here.kind() == Token.Kind.IDENTIFIER ? here.text().toUpperCase(Locale.ROOT) : here.text();
        if (here.kind() == Token.Kind.STRING && here.text().startsWith("$")) {
            return "dollar-quoted string `$$…$$`";
        }
        if (k >= 1 && k <= 3 && t.get(0).text().equalsIgnoreCase("CREATE")
                && Set.of("TEMP", "TEMPORARY", "UNLOGGED").contains(word)) {
            return "`CREATE TEMP …` / `CREATE UNLOGGED …`";
        }
        // statement kinds Calcite has no grammar for
        if (k <= 3 && !HAS_GRAMMAR.contains(statementKind(t)) && (STATEMENT_WORDS.contains(t.get(0).text().toUpperCase(Locale.ROOT)) || msg.startsWith("Incorrect syntax near the keyword"))
                && !t.get(0).text().equalsIgnoreCase("SELECT") && !t.get(0).text().equalsIgnoreCase("WITH")) {
            return "statement kind " + statementKind(t);
        }
        if (here.kind() == Token.Kind.PARAMETER || (next != null && next.kind() == Token.Kind.PARAMETER && !here.isPunct('('))) {
            return "parameter `$n` (Calcite reads it as a name)";
        }
        if (here.isPunct('.') && next != null && next.kind() == Token.Kind.IDENTIFIER) {
            return "Calcite keyword as a name (`x." + next.text().toLowerCase(Locale.ROOT) + "`)";
        }
        if (here.isPunct('[') && prev != null && (prev.kind() == Token.Kind.IDENTIFIER || prev.isPunct(')'))
                && castContext(t, k)) {
            return "array type in a cast `::type[]` / `type[]`";
        }
        if (here.isPunct('[')) {
            return "subscript / slice `x[i]`, `x[a:b]`";
        }
        if (here.kind() == Token.Kind.STRING && prev != null && prev.kind() == Token.Kind.IDENTIFIER
                && !NOT_TYPE_NAMES.contains(prev.text().toUpperCase(Locale.ROOT))) {
            return "typed literal `type 'text'` (e.g. `int4 '1'`, `point '(1,1)'`)";
        }
        if (prev != null && prev.kind() == Token.Kind.STRING && prev2 != null && prev2.text().equalsIgnoreCase("INTERVAL")) {
            return "`INTERVAL '1 day'` (unit inside the string)";
        }
        if (here.text().equalsIgnoreCase("ON") && prev != null && prev.text().equalsIgnoreCase("DISTINCT")) {
            return "`DISTINCT ON (…)`";
        }
        if (here.kind() == Token.Kind.OPERATOR) {
            return "operator `" + here.text() + "`";
        }
        if (here.kind() == Token.Kind.PARAMETER) {
            return "parameter `$n`";
        }
        if (here.kind() == Token.Kind.IDENTIFIER && prev != null && prev.kind() == Token.Kind.IDENTIFIER
                && (prev.text().equalsIgnoreCase("ORDER") || prev.text().equalsIgnoreCase("BY")) == false
                && here.text().equalsIgnoreCase("USING")) {
            return "`ORDER BY x USING <`";
        }
        if (here.kind() == Token.Kind.IDENTIFIER && k > 3 && Set.of("INSERT", "UPDATE", "DELETE", "MERGE").contains(word)) {
            return "data-modifying statement in WITH";
        }
        if (here.kind() == Token.Kind.IDENTIFIER) {
            if (Set.of("CURRENT", "RETURNING", "LATERAL", "FILTER", "WITHIN", "TABLESAMPLE", "ONLY", "RECURSIVE", "OVERLAPS", "COLLATE",
                    "ISNULL", "NOTNULL", "FETCH", "FOR", "USING", "CONFLICT", "ROWS", "GROUPS", "EXCLUDE", "SEARCH", "CYCLE",
                    "MATERIALIZED", "NULLS", "OF", "AT", "SIMILAR", "UNKNOWN", "ARRAY", "ROW", "VARIADIC", "DEFAULT",
                    "OVERRIDING", "ORDINALITY", "TIES", "SETS", "CUBE", "ROLLUP", "LIKE", "ILIKE", "ALL", "ANY", "SOME",
                    "INTO", "WINDOW", "TEMP", "TEMPORARY", "UNLOGGED", "INHERITS", "PARTITION", "EXISTS", "IS", "DISTINCT",
                    "LIMIT", "OFFSET", "ESCAPE", "AND", "OR", "NOT", "BETWEEN", "IN", "WHERE", "HAVING", "AS").contains(word)) {
                return "keyword `" + word + "`";
            }
            return prev != null && prev.kind() == Token.Kind.IDENTIFIER ? "identifier after `" + prev.text().toUpperCase(Locale.ROOT)
                    + "`" : "identifier `" + here.text() + "`";
        }
        if (here.kind() == Token.Kind.QUOTED_IDENTIFIER) {
            return "quoted identifier";
        }
        if (here.kind() == Token.Kind.STRING) {
            return "string literal";
        }
        if (here.kind() == Token.Kind.NUMBER) {
            return "number `" + (here.text().length() > 12 ? "…" : here.text()) + "`";
        }
        return "`" + here.text() + "` after `" + (prev == null ? "" : prev.text()) + "`";
    }

    /** Statement kinds Babel has a grammar for: a failure near their start is a construct, not the kind. */
    private static final Set<String> HAS_GRAMMAR = Set.of("CREATE TABLE", "SET", "RESET", "BEGIN", "COMMIT", "ROLLBACK");

    private static final Set<String> NOT_TYPE_NAMES = Set.of("SELECT", "WHERE", "THEN", "ELSE", "WHEN", "AND", "OR",
            "NOT", "BY", "LIKE", "ILIKE", "AS", "IS", "RETURN", "DEFAULT", "INTERVAL", "ON", "HAVING", "CASE", "ESCAPE",
            "COMMENT", "USING", "END", "ALL", "ANY", "DISTINCT", "FROM", "LIMIT", "OFFSET", "SET", "VALUES", "IN", "TO",
            "INTO", "SIMILAR", "FILTER", "FOR", "WITH", "RETURNING");

    private static boolean castContext(List<Token> t, int k) {
        for (int j = k - 1; j >= Math.max(0, k - 4); j--) {
            if (t.get(j).text().equals("::") || t.get(j).text().equalsIgnoreCase("AS")) {
                return true;
            }
        }
        return false;
    }

    private static int offsetOf(String sql, int line, int column) {
        int off = 0;
        for (int l = 1; l < line; l++) {
            int nl = sql.indexOf('\n', off);
            if (nl < 0) {
                return -1;
            }
            off = nl + 1;
        }
        return off + column - 1;
    }

    private static final Set<String> CREATE_MODIFIERS = Set.of("OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL",
            "LOCAL", "UNIQUE", "RECURSIVE", "TRUSTED", "PROCEDURAL", "DEFAULT", "CONSTRAINT");

    /** SELECT, INSERT…, or CREATE TABLE / DROP FUNCTION… for DDL. */
    static String statementKind(List<Token> t) {
        if (t.isEmpty()) {
            return "(empty)";
        }
        String first = t.get(0).text().toUpperCase(Locale.ROOT);
        if (first.equals("(")) {
            return "( SELECT …";
        }
        if (Set.of("CREATE", "ALTER", "DROP", "COMMENT").contains(first)) {
            for (int i = 1; i < Math.min(t.size(), 5); i++) {
                String w = t.get(i).text().toUpperCase(Locale.ROOT);
                if (!CREATE_MODIFIERS.contains(w)) {
                    if (w.equals("MATERIALIZED") || w.equals("FOREIGN") || w.equals("EVENT") || w.equals("TEXT") || w.equals("ON")) {
                        return first + " " + w + (i + 1 < t.size() ? " " + t.get(i + 1).text().toUpperCase(Locale.ROOT) : "");
                    }
                    return first + " " + w;
                }
            }
        }
        return first;
    }

    // ---------------------------------------------------------------- PostgreSQL's own verdict

    static void checkWithPostgres(List<Stmt> all) throws IOException, SQLException {
        Path data = Files.createTempDirectory("pgml-calcite-corpus");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            String url = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres?preferQueryMode=simple";
            Connection c = open(url);
            for (Stmt s : all) {
                if (s.psqlVariables) {
                    continue;
                }
                if (COPY_FROM_STDIN.matcher(s.sql).matches() || s.sql.matches("(?is)^\\s*COPY\\b.*\\bTO\\s+STDOUT\\b.*")) {
                    s.pgOk = true; // psql feeds or drains the data; syntax checked by the regression suite itself
                    continue;
                }
                s.pgOk = grammarAccepts(c, s.sql);
                if (s.pgOk == null) {
                    c = open(url);
                    s.pgOk = grammarAccepts(c, s.sql);
                }
                if (s.calciteOk && Boolean.TRUE.equals(s.pgOk)) {
                    String back;
                    try {
                        back = s.tree.toSqlString(PostgresqlSqlDialect.DEFAULT).getSql();
                    } catch (RuntimeException e) {
                        s.roundTripOk = false;
                        continue;
                    }
                    s.roundTripOk = grammarAccepts(c, back);
                    if (s.roundTripOk == null) {
                        c = open(url);
                        s.roundTripOk = false;
                    }
                }
            }
            c.close();
        }
    }

    private static Connection open(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url, "postgres", "");
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = '2s'");
            s.execute("SET client_min_messages = error");
        }
        c.commit();
        return c;
    }

    /**
     * True when PostgreSQL's grammar accepted the statement (it ran, or failed with anything but
     * syntax_error 42601); every statement runs in a transaction that is rolled back. Null when the
     * connection was lost.
     */
    private static Boolean grammarAccepts(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            st.execute(sql);
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                return null;
            }
            return !"42601".equals(e.getSQLState());
        } finally {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // a lost connection shows up on the next statement
            }
        }
    }

    // ---------------------------------------------------------------- report

    static void report(Map<String, List<Stmt>> bySource, List<Stmt> all, boolean pg, double parseSeconds) {
        System.out.printf("Calcite %s Babel parser (conformance BABEL, double-quoted identifiers, unquoted lower-cased)%n",
                org.apache.calcite.util.Util.class.getPackage().getImplementationVersion());
        System.out.printf("%d statements parsed in %.2f s; median %.0f µs for a statement Calcite reads, %.0f µs for one it rejects;"
                + " the sidecar's lexer and CallFinder: median %.1f µs%n%n", all.size(), parseSeconds, medianMicros(all, true),
                medianMicros(all, false), Measure.median(all.stream().mapToDouble(x -> x.lexNanos / 1e3).toArray()));
        System.out.println("## Per source");
        System.out.println();
        System.out.println(pg
                ? "| source | statements | psql-variable (dropped) | PostgreSQL syntax error (dropped) | measured | Calcite parsed | failed | parsed % | queries and DML: parsed / measured |"
                : "| source | statements | psql-variable (dropped) | measured | Calcite parsed | failed | parsed % | queries and DML: parsed / measured |");
        System.out.println(pg ? "|---|---|---|---|---|---|---|---|---|" : "|---|---|---|---|---|---|---|---|");
        Map<String, List<Stmt>> rows = new LinkedHashMap<>(bySource);
        rows.put("**total**", all);
        for (Map.Entry<String, List<Stmt>> e : rows.entrySet()) {
            List<Stmt> ss = e.getValue();
            long vars = ss.stream().filter(s -> s.psqlVariables).count();
            long pgBad = ss.stream().filter(s -> Boolean.FALSE.equals(s.pgOk)).count();
            List<Stmt> m = ss.stream().filter(Stmt::counted).toList();
            long ok = m.stream().filter(s -> s.calciteOk).count();
            List<Stmt> q = m.stream().filter(Stmt::queryOrDml).toList();
            long qOk = q.stream().filter(s -> s.calciteOk).count();
            String dml = String.format(Locale.ROOT, "%d / %d (**%.1f%%**)", qOk, q.size(), pct(qOk, q.size()));
            if (pg) {
                System.out.printf("| %s | %d | %d | %d | %d | %d | %d | **%.1f%%** | %s |%n", e.getKey(), ss.size(), vars, pgBad,
                        m.size(), ok, m.size() - ok, pct(ok, m.size()), dml);
            } else {
                System.out.printf("| %s | %d | %d | %d | %d | %d | **%.1f%%** | %s |%n", e.getKey(), ss.size(), vars, m.size(), ok,
                        m.size() - ok, pct(ok, m.size()), dml);
            }
        }
        List<Stmt> measured = all.stream().filter(Stmt::counted).toList();

        System.out.println();
        System.out.println("## Statements with pgml.* calls (found by the sidecar's lexer, planner/scan/CallFinder)");
        System.out.println();
        System.out.println("| source | statements with calls | Calcite parsed | parsed % | parsed with every call in the tree |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, List<Stmt>> e : rows.entrySet()) {
            List<Stmt> m = e.getValue().stream().filter(Stmt::counted).filter(s -> s.lexerCalls > 0).toList();
            long ok = m.stream().filter(s -> s.calciteOk).count();
            long same = m.stream().filter(s -> s.calciteOk && s.treeCalls == s.lexerCalls).count();
            System.out.printf("| %s | %d | %d | %.1f%% | %d |%n", e.getKey(), m.size(), ok, pct(ok, m.size()), same);
        }
        if (pg) {
            long parsed = measured.stream().filter(s -> s.calciteOk).count();
            long back = measured.stream().filter(s -> Boolean.TRUE.equals(s.roundTripOk)).count();
            long falseAccept = all.stream().filter(s -> Boolean.FALSE.equals(s.pgOk) && s.calciteOk).count();
            long pgRejected = all.stream().filter(s -> Boolean.FALSE.equals(s.pgOk)).count();
            System.out.println();
            System.out.printf("Calcite's tree unparsed with PostgresqlSqlDialect and sent back: PostgreSQL's grammar accepts %d of %d (%.1f%%).%n",
                    back, parsed, pct(back, parsed));
            System.out.printf("Statements PostgreSQL rejects as syntax errors that Calcite accepts: %d of %d.%n", falseAccept, pgRejected);
            all.stream().filter(s -> Boolean.FALSE.equals(s.pgOk) && s.calciteOk).limit(5).forEach(s -> System.out.printf(
                    "  e.g. %s: `%s`%n", s.where, oneLine(s.sql, 120)));
            System.out.println("Unparsed text PostgreSQL's grammar rejects, first five:");
            List<Stmt> broken = measured.stream().filter(s -> Boolean.FALSE.equals(s.roundTripOk)).limit(5).toList();
            for (Stmt s : broken) {
                String back2;
                try {
                    back2 = s.tree.toSqlString(PostgresqlSqlDialect.DEFAULT).getSql();
                } catch (RuntimeException e) {
                    back2 = "(unparse failed: " + e.getMessage() + ")";
                }
                System.out.printf("  e.g. %s: `%s` → `%s`%n", s.where, oneLine(s.sql, 100), oneLine(back2, 120));
            }
        }

        System.out.println();
        System.out.println("## By statement kind (all sources)");
        System.out.println();
        System.out.println("| kind | statements | Calcite parsed | parsed % |");
        System.out.println("|---|---|---|---|");
        Map<String, long[]> kinds = new TreeMap<>();
        for (Stmt s : measured) {
            String kind = statementKind(s.tokens);
            long[] k = kinds.computeIfAbsent(kind, x -> new long[2]);
            k[0]++;
            if (s.calciteOk) {
                k[1]++;
            }
        }
        kinds.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0]))
                .limit(25).forEach(e -> System.out.printf("| %s | %d | %d | %.1f%% |%n", e.getKey(), e.getValue()[0],
                        e.getValue()[1], pct(e.getValue()[1], e.getValue()[0])));

        causes("Top failure causes (the construct where Calcite stopped; all sources, all statements)", measured);
        causes("Top failure causes in queries and DML (SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE, MERGE)",
                measured.stream().filter(Stmt::queryOrDml).toList());
        System.out.println();
        System.out.println("## Failures of pgml-call statements");
        System.out.println();
        measured.stream().filter(s -> s.lexerCalls > 0 && !s.calciteOk).forEach(s -> System.out.printf(
                "- %s %s: `%s` — %s%n", s.source, s.where, oneLine(s.sql, 120), s.cause));
        measured.stream().filter(s -> s.lexerCalls > 0 && s.calciteOk && s.treeCalls != s.lexerCalls).forEach(s -> System.out.printf(
                "- %s %s: parsed, but %d of %d calls in the tree: `%s`%n", s.source, s.where, s.treeCalls, s.lexerCalls,
                oneLine(s.sql, 120)));
    }

    private static void causes(String title, List<Stmt> measured) {
        System.out.println();
        System.out.println("## " + title);
        System.out.println();
        System.out.println("| cause | failures | share of failures | example (file:line) | Calcite's message |");
        System.out.println("|---|---|---|---|---|");
        Map<String, List<Stmt>> causes = new LinkedHashMap<>();
        measured.stream().filter(s -> !s.calciteOk).forEach(s -> causes.computeIfAbsent(s.cause, x -> new ArrayList<>()).add(s));
        long failures = measured.stream().filter(s -> !s.calciteOk).count();
        causes.entrySet().stream().sorted(Comparator.comparingInt((Map.Entry<String, List<Stmt>> e) -> -e.getValue().size()))
                .limit(15).forEach(e -> {
                    Stmt ex = e.getValue().stream().min(Comparator.comparingInt(s -> s.sql.length())).orElseThrow();
                    System.out.printf("| %s | %d | %.1f%% | `%s` (%s) | %s |%n", e.getKey(), e.getValue().size(),
                            pct(e.getValue().size(), failures), oneLine(ex.sql, 110).replace("|", "\\|"), ex.where,
                            oneLine(ex.calciteError, 90).replace("|", "\\|"));
                });
    }

    // ---------------------------------------------------------------- semantics probes

    /** PostgreSQL's grouping written with explicit parentheses; Calcite keeps no node for them. */
    static final String[][] PRECEDENCE = {
            {"1 + '2'::int", "1 + ('2'::int)"},
            {"a = '1'::int", "a = ('1'::int)"},
            {"a || 'x'::text", "a || ('x'::text)"},
            {"-'1'::int", "-('1'::int)"},
            {"'1'::int + '2'::int", "('1'::int) + ('2'::int)"},
            {"a <=> '[1,2]'::vector", "a <=> ('[1,2]'::vector)"},
            {"'a' || 1 + 2", "'a' || (1 + 2)"},
            {"a || b * c", "a || (b * c)"},
            {"a || b = c", "(a || b) = c"},
            {"a || b LIKE c", "(a || b) LIKE c"},
            {"a = b IS NULL", "(a = b) IS NULL"},
            {"NOT a = b", "NOT (a = b)"},
            {"x BETWEEN 1 AND 2 AND y", "(x BETWEEN 1 AND 2) AND y"},
            {"a % b * c", "(a % b) * c"},
            {"2 ^ 3 ^ 2", "(2 ^ 3) ^ 2"},
            {"a - b - c", "(a - b) - c"},
    };

    static void probes() {
        System.out.println();
        System.out.println("## Precedence probes (`SELECT <expr>`; PostgreSQL's grouping pinned with parentheses)");
        System.out.println();
        System.out.println("| expression | PostgreSQL groups as | Calcite's tree | same as PostgreSQL |");
        System.out.println("|---|---|---|---|");
        for (String[] p : PRECEDENCE) {
            String got = shape(p[0]);
            String want = shape(p[1]);
            boolean parsed = !got.startsWith("parse error");
            System.out.printf("| `%s` | `%s` | `%s` | %s |%n", p[0].replace("|", "\\|"), p[1].replace("|", "\\|"),
                    got.replace("|", "\\|"), !parsed ? "does not parse" : got.equals(want) ? "yes" : "**no**");
        }
        System.out.println();
        System.out.println("## Meaning probes");
        System.out.println();
        System.out.println("| expression | Calcite reads it as | PostgreSQL means |");
        System.out.println("|---|---|---|");
        String[][] meaning = {
                {"$1", "parameter $1"},
                {"?", "(not PostgreSQL syntax; JDBC's placeholder)"},
                {"a <=> b", "pgvector cosine distance (an operator of the vector type)"},
                {"a <-> b", "pgvector L2 distance"},
                {"Foo + \"Foo\"", "column foo plus column Foo"},
                {"E'a\\nb'", "a, newline, b"},
                {"'a\\nb'", "a, backslash, n, b (standard_conforming_strings)"},
                {"x::vector(3)", "cast to pgvector's vector(3)"},
                {"INTERVAL '1 day'", "an interval of one day"},
                {"now() - INTERVAL '1' DAY", "(PostgreSQL accepts this SQL-standard form too)"},
        };
        for (String[] m : meaning) {
            System.out.printf("| `%s` | %s | %s |%n", m[0].replace("|", "\\|"), describe(m[0]).replace("|", "\\|"), m[1]);
        }
    }

    private static SqlNode selectItem(String expr) throws SqlParseException {
        SqlNode n = SqlParser.create("SELECT " + expr, CONFIG).parseStmt();
        return ((SqlSelect) n).getSelectList().get(0);
    }

    static String shape(String expr) {
        try {
            return prefix(selectItem(expr));
        } catch (SqlParseException e) {
            return "parse error: " + oneLine(e.getMessage(), 60);
        }
    }

    /** A tree in prefix form, so the grouping is explicit: {@code +(1, CAST('2', int))}. */
    static String prefix(SqlNode n) {
        if (n instanceof SqlCall call) {
            StringBuilder sb = new StringBuilder(call.getKind() == SqlKind.CAST ? "CAST" : call.getOperator().getName()).append('(');
            List<SqlNode> ops = call.getOperandList();
            for (int i = 0; i < ops.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(ops.get(i) == null ? "null" : prefix(ops.get(i)));
            }
            return sb.append(')').toString();
        }
        if (n instanceof SqlDataTypeSpec spec) {
            return spec.getTypeName().toString();
        }
        return n.toString();
    }

    static String describe(String expr) {
        try {
            SqlNode n = selectItem(expr);
            String shape = prefix(n);
            String detail = switch (n.getKind()) {
                case DYNAMIC_PARAM -> "dynamic parameter";
                case IDENTIFIER -> "identifier " + ((SqlIdentifier) n).names;
                case LITERAL -> "literal " + org.apache.calcite.sql.SqlLiteral.class.cast(n).toValue().replace("\n", "⏎");
                default -> n.getKind() + (n instanceof SqlCall c ? " (operator " + c.getOperator().getName() + ", "
                        + c.getOperator().getClass().getSimpleName() + ")" : "");
            };
            return detail + ": `" + shape + "`";
        } catch (SqlParseException e) {
            return "does not parse: " + oneLine(e.getMessage(), 70);
        }
    }

    private static double medianMicros(List<Stmt> all, boolean ok) {
        double[] us = all.stream().filter(x -> x.calciteOk == ok).mapToDouble(x -> x.parseNanos / 1e3).toArray();
        return us.length == 0 ? 0 : Measure.median(us);
    }

    private static String oneLine(String s, int max) {
        String one = s == null ? "" : s.replaceAll("\\s+", " ").strip();
        return one.length() > max ? one.substring(0, max - 1) + "…" : one;
    }

    private static double pct(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}

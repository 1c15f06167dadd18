package io.pgmlsidecar.planner.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL-aware tokenizer: string constants ('…', E'…' with backslash escapes, U&'…',
 * B'…', X'…', dollar quoting $tag$…$tag$), quoted identifiers, line and nested block comments,
 * numbers, $n parameters, operators and punctuation. Comments and whitespace are skipped; every
 * token keeps its offsets in the original text. It never rejects a statement: unterminated
 * constructs run to the end of the text, as PostgreSQL would report them itself.
 */
public final class SqlLexer {

    private final String sql;
    /** standard_conforming_strings = off: a backslash escapes in plain '…' strings too, as in E'…'. */
    private final boolean backslashInPlainStrings;
    private int pos;

    private SqlLexer(String sql, boolean backslashInPlainStrings) {
        this.sql = sql;
        this.backslashInPlainStrings = backslashInPlainStrings;
    }

    public static List<Token> tokenize(String sql) {
        return new SqlLexer(sql, false).run();
    }

    /** As PostgreSQL reads {@code sql} with standard_conforming_strings = off (backslashes escape in '…'). */
    public static List<Token> tokenizeNonConforming(String sql) {
        return new SqlLexer(sql, true).run();
    }

    private List<Token> run() {
        List<Token> tokens = new ArrayList<>();
        int n = sql.length();
        while (pos < n) {
            char c = sql.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '-' && peek(1) == '-') {
                skipLineComment();
            } else if (c == '/' && peek(1) == '*') {
                skipBlockComment();
            } else if (c == '\'') {
                tokens.add(string(pos, pos, backslashInPlainStrings));
            } else if ((c == 'E' || c == 'e') && peek(1) == '\'') {
                tokens.add(string(pos, pos + 1, true));
            } else if ((c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n') && peek(1) == '\'') {
                tokens.add(string(pos, pos + 1, false));
            } else if ((c == 'U' || c == 'u') && peek(1) == '&' && peek(2) == '\'') {
                tokens.add(string(pos, pos + 2, false));
            } else if ((c == 'U' || c == 'u') && peek(1) == '&' && peek(2) == '"') {
                int start = pos;
                pos += 2;
                tokens.add(quotedIdentifier(start));
            } else if (c == '"') {
                tokens.add(quotedIdentifier(pos));
            } else if (c == '$' && Character.isDigit(peek(1))) {
                int start = pos++;
                while (pos < n && Character.isDigit(sql.charAt(pos))) {
                    pos++;
                }
                tokens.add(new Token(Token.Kind.PARAMETER, start, pos, sql.substring(start, pos)));
            } else if (c == '$' && dollarTagEnd(pos) > 0) {
                tokens.add(dollarString());
            } else if (isIdentStart(c)) {
                int start = pos++;
                while (pos < n && isIdentPart(sql.charAt(pos))) {
                    pos++;
                }
                tokens.add(new Token(Token.Kind.IDENTIFIER, start, pos, sql.substring(start, pos)));
            } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(peek(1)))) {
                tokens.add(number());
            } else if ("(),;[]".indexOf(c) >= 0 || (c == '.' )) {
                tokens.add(new Token(Token.Kind.PUNCT, pos, pos + 1, String.valueOf(c)));
                pos++;
            } else if (c == ':' && peek(1) == ':') {
                tokens.add(new Token(Token.Kind.OPERATOR, pos, pos + 2, "::"));
                pos += 2;
            } else if (isOperatorChar(c)) {
                int start = pos++;
                while (pos < n && isOperatorChar(sql.charAt(pos))
                        && !(sql.charAt(pos) == '-' && peek(1) == '-')
                        && !(sql.charAt(pos) == '/' && peek(1) == '*')) {
                    pos++;
                }
                tokens.add(new Token(Token.Kind.OPERATOR, start, pos, sql.substring(start, pos)));
            } else {
                tokens.add(new Token(Token.Kind.PUNCT, pos, pos + 1, String.valueOf(c)));
                pos++;
            }
        }
        return tokens;
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < sql.length() ? sql.charAt(i) : '\0';
    }

    private void skipLineComment() {
        while (pos < sql.length() && sql.charAt(pos) != '\n') {
            pos++;
        }
    }

    private void skipBlockComment() {
        int depth = 0;
        while (pos < sql.length()) {
            if (sql.startsWith("/*", pos)) {
                depth++;
                pos += 2;
            } else if (sql.startsWith("*/", pos)) {
                depth--;
                pos += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                pos++;
            }
        }
    }

    /** A quoted string starting at {@code quoteAt}; {@code backslashEscapes} for E'' strings. */
    private Token string(int start, int quoteAt, boolean backslashEscapes) {
        pos = quoteAt + 1;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (backslashEscapes && c == '\\') {
                pos += 2;
            } else if (c == '\'') {
                if (peek(1) == '\'') {
                    pos += 2;
                } else {
                    pos++;
                    break;
                }
            } else {
                pos++;
            }
        }
        pos = Math.min(pos, sql.length());
        return new Token(Token.Kind.STRING, start, pos, sql.substring(start, pos));
    }

    private Token quotedIdentifier(int start) {
        pos++;
        while (pos < sql.length()) {
            if (sql.charAt(pos) == '"') {
                if (peek(1) == '"') {
                    pos += 2;
                    continue;
                }
                pos++;
                break;
            }
            pos++;
        }
        return new Token(Token.Kind.QUOTED_IDENTIFIER, start, pos, sql.substring(start, pos));
    }

    /** End (exclusive) of a dollar-quote tag starting at {@code at}, or -1. */
    private int dollarTagEnd(int at) {
        int i = at + 1;
        while (i < sql.length() && isIdentPart(sql.charAt(i)) && sql.charAt(i) != '$') {
            i++;
        }
        if (i < sql.length() && sql.charAt(i) == '$' && (i == at + 1 || !Character.isDigit(sql.charAt(at + 1)))) {
            return i + 1;
        }
        return -1;
    }

    private Token dollarString() {
        int start = pos;
        int tagEnd = dollarTagEnd(pos);
        String tag = sql.substring(start, tagEnd);
        int close = sql.indexOf(tag, tagEnd);
        pos = close < 0 ? sql.length() : close + tag.length();
        return new Token(Token.Kind.STRING, start, pos, sql.substring(start, pos));
    }

    private Token number() {
        int start = pos;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_') {
                pos++;
            } else if ((c == '+' || c == '-') && (sql.charAt(pos - 1) == 'e' || sql.charAt(pos - 1) == 'E')) {
                pos++;
            } else {
                break;
            }
        }
        return new Token(Token.Kind.NUMBER, start, pos, sql.substring(start, pos));
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127;
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }

    private static boolean isOperatorChar(char c) {
        return "+-*/<>=~!@#%^&|`?:".indexOf(c) >= 0;
    }
}

package io.pgmlsidecar.planner.scan;

import java.util.List;

/**
 * A call of an API function found in a statement. Offsets are into the statement text:
 * {@code start} at the schema name, {@code end} just after the closing parenthesis.
 * {@code firstToken}/{@code lastToken} index the token list ({@code lastToken} is the ')').
 */
public record CallSite(String schema, String function, int start, int end, int firstToken, int lastToken,
                       List<Argument> arguments) {

    /** One argument: its text span, and its name when written {@code name => value}. */
    public record Argument(String name, int start, int end) {}

    /** Qualified name, lower-case: {@code pgml.embed}. */
    public String qualifiedName() {
        return schema + "." + function;
    }
}

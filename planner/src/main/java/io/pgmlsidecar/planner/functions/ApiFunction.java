package io.pgmlsidecar.planner.functions;

import java.util.List;

/**
 * Signature of an intercepted function: parameter names, types and defaults as PostgresML
 * declares them, and its result type.
 */
public record ApiFunction(String qualifiedName, List<Parameter> parameters, int resultTypeOid, boolean setReturning) {

    /** {@code defaultSql} null = required. {@code alternativeNames} for overloads (text / inputs). */
    public record Parameter(String name, int typeOid, String defaultSql, List<String> alternativeNames) {
        public boolean answersTo(String n) {
            return name.equals(n) || alternativeNames.contains(n);
        }
    }

    public int indexOf(String parameterName) {
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).answersTo(parameterName)) {
                return i;
            }
        }
        return -1;
    }
}

package io.pgmlsidecar.ml.transformers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code args} object of a pgml.transform call, read with the checks a pipelines user expects:
 * an unknown key or a value of the wrong type is an error that names the key, the expected type and
 * the keys the task accepts, rather than being silently ignored.
 */
public final class PipelineArgs {
    private final ObjectNode args;
    private final String task;

    public PipelineArgs(JsonNode args, String task) {
        if (args != null && !args.isNull() && !args.isObject()) {
            throw new InvalidArgumentsException("args must be a JSON object, got " + args);
        }
        this.args = args == null || args.isNull() ? JsonNodeFactory.instance.objectNode() : (ObjectNode) args.deepCopy();
        this.task = task;
    }

    public static PipelineArgs empty(String task) {
        return new PipelineArgs(null, task);
    }

    /** Fails on a key outside {@code allowed}. */
    public PipelineArgs onlyKeys(Set<String> allowed) {
        for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new InvalidArgumentsException("unknown argument '" + k + "' for task " + task
                        + "; accepted: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return this;
    }

    public boolean has(String key) {
        return args.hasNonNull(key);
    }

    public JsonNode raw(String key) {
        return args.get(key);
    }

    public ObjectNode asObject() {
        return args.deepCopy();
    }

    /** A copy with {@code key} set (used to layer defaults from generation_config.json under user args). */
    public PipelineArgs with(String key, JsonNode value) {
        ObjectNode copy = args.deepCopy();
        copy.set(key, value);
        return new PipelineArgs(copy, task);
    }

    public int integer(String key, int dflt) {
        JsonNode v = args.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) return v.asInt();
        throw type(key, "an integer", v);
    }

    /** An integer within [min, max]. */
    public int integer(String key, int dflt, int min, int max) {
        int v = integer(key, dflt);
        if (v < min || v > max) {
            throw new InvalidArgumentsException("argument '" + key + "' must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    public double number(String key, double dflt) {
        JsonNode v = args.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isNumber()) return v.asDouble();
        throw type(key, "a number", v);
    }

    public boolean bool(String key, boolean dflt) {
        JsonNode v = args.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isBoolean()) return v.asBoolean();
        throw type(key, "true or false", v);
    }

    public String string(String key, String dflt) {
        JsonNode v = args.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isTextual()) return v.asText();
        throw type(key, "a string", v);
    }

    /** A string or a list of strings (e.g. candidate_labels), as a list; empty when absent. */
    public List<String> strings(String key) {
        JsonNode v = args.get(key);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isTextual()) {
            out.add(v.asText());
            return out;
        }
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isTextual()) throw type(key, "a list of strings", v);
                out.add(e.asText());
            }
            return out;
        }
        throw type(key, "a string or a list of strings", v);
    }

    private InvalidArgumentsException type(String key, String expected, JsonNode got) {
        return new InvalidArgumentsException("argument '" + key + "' of task " + task + " must be " + expected + ", got " + got);
    }

    @Override
    public String toString() {
        return args.toString();
    }
}

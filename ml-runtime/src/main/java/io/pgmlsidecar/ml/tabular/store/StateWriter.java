package io.pgmlsidecar.ml.tabular.store;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Writes one map of a stored model's state: named fields of plain values (numbers, text, numeric
 * arrays, byte strings, nested maps and lists of maps). The names are the documented schema
 * (docs/model-format.md), not Java field names; {@link StateReader} reads them back.
 */
public final class StateWriter {
    private final JsonGenerator out;

    StateWriter(JsonGenerator out) {
        this.out = out;
    }

    private StateWriter field(String name) throws IOException {
        out.writeFieldName(name);
        return this;
    }

    public StateWriter put(String name, double value) {
        return io(() -> field(name).out.writeNumber(value));
    }

    public StateWriter put(String name, long value) {
        return io(() -> field(name).out.writeNumber(value));
    }

    public StateWriter put(String name, boolean value) {
        return io(() -> field(name).out.writeBoolean(value));
    }

    /** Text, or null. */
    public StateWriter put(String name, String value) {
        return io(() -> {
            field(name);
            if (value == null) {
                out.writeNull();
            } else {
                out.writeString(value);
            }
        });
    }

    /** A numeric array (IEEE doubles, NaN kept), or null. */
    public StateWriter put(String name, double[] value) {
        return io(() -> {
            field(name);
            if (value == null) {
                out.writeNull();
            } else {
                out.writeArray(value, 0, value.length);
            }
        });
    }

    public StateWriter put(String name, int[] value) {
        return io(() -> {
            field(name);
            if (value == null) {
                out.writeNull();
            } else {
                out.writeArray(value, 0, value.length);
            }
        });
    }

    /** Rows of numbers (rows may differ in length), or null. */
    public StateWriter put(String name, double[][] value) {
        return io(() -> {
            field(name);
            if (value == null) {
                out.writeNull();
                return;
            }
            out.writeStartArray(value, value.length);
            for (double[] row : value) {
                out.writeArray(row, 0, row.length);
            }
            out.writeEndArray();
        });
    }

    public StateWriter put(String name, int[][] value) {
        return io(() -> {
            field(name);
            if (value == null) {
                out.writeNull();
                return;
            }
            out.writeStartArray(value, value.length);
            for (int[] row : value) {
                out.writeArray(row, 0, row.length);
            }
            out.writeEndArray();
        });
    }

    /** A list of texts (elements may be null), or null. */
    public StateWriter put(String name, List<String> value) {
        return io(() -> {
            field(name);
            if (value == null) {
                out.writeNull();
                return;
            }
            out.writeStartArray(value, value.size());
            for (String s : value) {
                if (s == null) {
                    out.writeNull();
                } else {
                    out.writeString(s);
                }
            }
            out.writeEndArray();
        });
    }

    public StateWriter put(String name, String[] value) {
        return put(name, value == null ? null : java.util.Arrays.asList(value));
    }

    /** Opaque bytes in a library's own documented format (e.g. XGBoost's UBJSON model). */
    public StateWriter putBytes(String name, byte[] value) {
        return io(() -> {
            field(name);
            if (value == null) {
                out.writeNull();
            } else {
                out.writeBinary(value);
            }
        });
    }

    /** A text → integer map (category codes), written as a map in ascending code order. */
    public StateWriter putCodes(String name, Map<String, Integer> codes) {
        return io(() -> {
            field(name);
            if (codes == null) {
                out.writeNull();
                return;
            }
            out.writeStartObject();
            // in code order, so that a model's document does not depend on the map's hash order
            for (Map.Entry<String, Integer> e : codes.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList()) {
                out.writeFieldName(e.getKey());
                out.writeNumber(e.getValue());
            }
            out.writeEndObject();
        });
    }

    /** A nested map, or null when {@code body} is null. */
    public StateWriter putObject(String name, Consumer<StateWriter> body) {
        return io(() -> {
            field(name);
            if (body == null) {
                out.writeNull();
                return;
            }
            out.writeStartObject();
            body.accept(this);
            out.writeEndObject();
        });
    }

    /** A list of maps, one per item (null items are written as null). */
    public <T> StateWriter putList(String name, List<T> items, BiConsumer<StateWriter, T> body) {
        return io(() -> {
            field(name);
            if (items == null) {
                out.writeNull();
                return;
            }
            out.writeStartArray(items, items.size());
            for (T item : items) {
                if (item == null) {
                    out.writeNull();
                    continue;
                }
                out.writeStartObject();
                body.accept(this, item);
                out.writeEndObject();
            }
            out.writeEndArray();
        });
    }

    public <T> StateWriter putList(String name, T[] items, BiConsumer<StateWriter, T> body) {
        return putList(name, items == null ? null : java.util.Arrays.asList(items), body);
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private StateWriter io(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}

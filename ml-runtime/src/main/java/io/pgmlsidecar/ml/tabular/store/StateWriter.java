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

    public StateWriter put(String name, double value) {
        return field(name, value, out::writeNumber);
    }

    public StateWriter put(String name, long value) {
        return field(name, value, out::writeNumber);
    }

    public StateWriter put(String name, boolean value) {
        return field(name, value, out::writeBoolean);
    }

    /** Text, or null. */
    public StateWriter put(String name, String value) {
        return field(name, value, out::writeString);
    }

    /** A numeric array (IEEE doubles, NaN kept), or null. */
    public StateWriter put(String name, double[] value) {
        return field(name, value, v -> out.writeArray(v, 0, v.length));
    }

    public StateWriter put(String name, int[] value) {
        return field(name, value, v -> out.writeArray(v, 0, v.length));
    }

    /** Rows of numbers (rows may differ in length), or null. */
    public StateWriter put(String name, double[][] value) {
        return field(name, value, v -> array(v, v.length, () -> {
            for (double[] row : v) {
                out.writeArray(row, 0, row.length);
            }
        }));
    }

    public StateWriter put(String name, int[][] value) {
        return field(name, value, v -> array(v, v.length, () -> {
            for (int[] row : v) {
                out.writeArray(row, 0, row.length);
            }
        }));
    }

    /** A list of texts (elements may be null), or null. */
    public StateWriter put(String name, List<String> value) {
        return field(name, value, v -> array(v, v.size(), () -> {
            for (String s : v) {
                if (s == null) {
                    out.writeNull();
                } else {
                    out.writeString(s);
                }
            }
        }));
    }

    public StateWriter put(String name, String[] value) {
        return put(name, value == null ? null : java.util.Arrays.asList(value));
    }

    /** Opaque bytes in a library's own documented format (e.g. XGBoost's UBJSON model). */
    public StateWriter putBytes(String name, byte[] value) {
        return field(name, value, out::writeBinary);
    }

    /** A text → integer map (category codes), written as a map in ascending code order. */
    public StateWriter putCodes(String name, Map<String, Integer> codes) {
        return field(name, codes, v -> {
            out.writeStartObject();
            // in code order, so that a model's document does not depend on the map's hash order
            for (Map.Entry<String, Integer> e : v.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList()) {
                out.writeFieldName(e.getKey());
                out.writeNumber(e.getValue());
            }
            out.writeEndObject();
        });
    }

    /** A nested map, or null when {@code body} is null. */
    public StateWriter putObject(String name, Consumer<StateWriter> body) {
        return field(name, body, b -> {
            out.writeStartObject();
            b.accept(this);
            out.writeEndObject();
        });
    }

    /** A list of maps, one per item (null items are written as null). */
    public <T> StateWriter putList(String name, List<T> items, BiConsumer<StateWriter, T> body) {
        return field(name, items, v -> array(v, v.size(), () -> {
            for (T item : v) {
                if (item == null) {
                    out.writeNull();
                    continue;
                }
                out.writeStartObject();
                body.accept(this, item);
                out.writeEndObject();
            }
        }));
    }

    public <T> StateWriter putList(String name, T[] items, BiConsumer<StateWriter, T> body) {
        return putList(name, items == null ? null : java.util.Arrays.asList(items), body);
    }

    /** Writes the field's name, then null or the value. */
    private <T> StateWriter field(String name, T value, IoWriter<T> write) {
        try {
            out.writeFieldName(name);
            if (value == null) {
                out.writeNull();
            } else {
                write.write(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private void array(Object forValue, int size, IoAction elements) throws IOException {
        out.writeStartArray(forValue, size);
        elements.run();
        out.writeEndArray();
    }

    private interface IoWriter<T> {
        void write(T value) throws IOException;
    }

    private interface IoAction {
        void run() throws IOException;
    }
}
